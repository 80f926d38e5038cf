"""Unit tests of the trainer (stdlib unittest + torch): run with `/usr/bin/python3 -m unittest discover trainer`."""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from model import expected_shapes, forward  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

TEXT = (
    "the whale rose from the sea and the sailors cried out. the captain stood at the bow and watched the whale. "
    "then the whale dove and the sea was calm again. "
) * 12

CFG = {"arch": "llama", "n_vocab": 40, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_head_kv": 2, "n_ff": 64,
       "n_ctx_train": 64, "rope_freq_base": 10000.0, "rms_eps": 1e-5}


_DIRS = []


def tearDownModule():
    for d in _DIRS:
        shutil.rmtree(d, ignore_errors=True)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_workdir(cfg=CFG, text=TEXT, tied=False):
    d = tempfile.mkdtemp(prefix="trainer-test-")
    _DIRS.append(d)
    g = torch.Generator().manual_seed(1)
    weights = {}
    for name, shape in expected_shapes(cfg).items():
        if len(shape) == 1:
            weights[name] = torch.ones(shape)
        else:
            weights[name] = torch.randn(shape, generator=g) * 0.05
    if not tied:
        weights["output.weight"] = torch.randn([cfg["n_vocab"], cfg["n_embd"]], generator=g) * 0.05
    write_safetensors(os.path.join(d, "base.safetensors"), weights)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    chars = sorted(set(text))
    ids = [1] + [3 + chars.index(c) for c in text] + [2]
    with open(os.path.join(d, "tokens.bin"), "wb") as f:
        f.write(struct.pack(f"<{len(ids)}I", *ids))
    return d


def train(workdir, *extra):
    cmd = [sys.executable, os.path.join(HERE, "train.py"), "--workdir", workdir, "--threads", "1", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def losses(workdir):
    with open(os.path.join(workdir, "progress.jsonl")) as f:
        return [json.loads(line)["loss"] for line in f]


class SafetensorsTest(unittest.TestCase):
    def test_round_trip(self):
        d = tempfile.mkdtemp()
        _DIRS.append(d)
        t = {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b.weight": torch.tensor([1.5])}
        write_safetensors(os.path.join(d, "x.safetensors"), t, {"mode": "x"})
        back = read_safetensors(os.path.join(d, "x.safetensors"))
        self.assertEqual(sorted(back), ["a", "b.weight"])
        self.assertTrue(torch.equal(back["a"], t["a"]))
        with open(os.path.join(d, "x.safetensors"), "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            self.assertEqual(n % 8, 0)
            header = json.loads(f.read(n))
        self.assertEqual(header["a"], {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]})


class ForwardTest(unittest.TestCase):
    def test_causal(self):
        # A later token must not change the logits of earlier positions.
        d = make_workdir()
        w = read_safetensors(os.path.join(d, "base.safetensors"))
        a = forward(CFG, w, torch.tensor([[1, 5, 6, 7]]))
        b = forward(CFG, w, torch.tensor([[1, 5, 6, 9]]))
        self.assertTrue(torch.allclose(a[:, :3], b[:, :3], atol=1e-6))
        self.assertFalse(torch.allclose(a[:, 3], b[:, 3], atol=1e-6))


class TrainTest(unittest.TestCase):
    def test_full_loss_decreases(self):
        d = make_workdir()
        r = train(d, "--mode", "full", "--seq", "32", "--batch", "4", "--epochs", "6")
        self.assertEqual(r.returncode, 0, r.stderr)
        ls = losses(d)
        self.assertGreater(len(ls), 20)
        self.assertLess(sum(ls[-5:]) / 5, sum(ls[:5]) / 5 - 0.5)
        done = read_json(os.path.join(d, "done.json"))
        self.assertEqual(done["steps"], len(ls))
        out = read_safetensors(os.path.join(d, "out.safetensors"))
        self.assertEqual(sorted(out), sorted(read_safetensors(os.path.join(d, "base.safetensors"))))

    def test_lora_loss_decreases_and_shapes(self):
        d = make_workdir()
        r = train(d, "--mode", "lora", "--rank", "4", "--seq", "32", "--batch", "4", "--epochs", "6", "--lr", "1e-2")
        self.assertEqual(r.returncode, 0, r.stderr)
        ls = losses(d)
        self.assertLess(sum(ls[-5:]) / 5, sum(ls[:5]) / 5 - 0.3)
        out = read_safetensors(os.path.join(d, "out.safetensors"))
        self.assertEqual(len(out), 2 * 4 * CFG["n_layer"])
        self.assertEqual(list(out["blk.0.attn_q.weight.lora_a"].shape), [4, 32])
        self.assertEqual(list(out["blk.1.attn_k.weight.lora_b"].shape), [16, 4])

    def test_resume_equals_uninterrupted(self):
        a = make_workdir()
        b = make_workdir()
        args = ("--mode", "lora", "--rank", "4", "--seq", "32", "--batch", "4", "--epochs", "3", "--checkpoint-every", "7")
        self.assertEqual(train(a, *args).returncode, 0)
        r = train(b, *args, "--stop-after", "10")
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(b, "done.json")))
        r = train(b, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        oa = read_safetensors(os.path.join(a, "out.safetensors"))
        ob = read_safetensors(os.path.join(b, "out.safetensors"))
        for name in oa:
            self.assertTrue(torch.equal(oa[name], ob[name]), name)
        self.assertEqual(losses(a), losses(b))

    def test_same_seed_same_result_other_seed_differs(self):
        a, b, c = make_workdir(), make_workdir(), make_workdir()
        args = ("--mode", "lora", "--rank", "2", "--seq", "32", "--batch", "4", "--max-steps", "5")
        train(a, *args)
        train(b, *args)
        train(c, *args, "--seed", "7")
        oa, ob, oc = (read_safetensors(os.path.join(x, "out.safetensors")) for x in (a, b, c))
        self.assertTrue(torch.equal(oa["blk.0.attn_q.weight.lora_b"], ob["blk.0.attn_q.weight.lora_b"]))
        self.assertFalse(torch.equal(oa["blk.0.attn_q.weight.lora_b"], oc["blk.0.attn_q.weight.lora_b"]))

    def test_tied_output(self):
        d = make_workdir(tied=True)
        r = train(d, "--mode", "full", "--seq", "32", "--batch", "4", "--max-steps", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("output.weight", read_safetensors(os.path.join(d, "out.safetensors")))


class BadInputTest(unittest.TestCase):
    def error(self, d):
        return read_json(os.path.join(d, "error.json"))

    def test_missing_tokens(self):
        d = make_workdir()
        os.remove(os.path.join(d, "tokens.bin"))
        r = train(d, "--mode", "lora")
        self.assertEqual(r.returncode, 3)
        self.assertIn("tokens.bin does not exist", r.stderr)
        self.assertEqual(self.error(d)["code"], "MISSING_FILE")

    def test_not_llama(self):
        d = make_workdir(cfg={**CFG, "arch": "gpt2"})
        r = train(d, "--mode", "lora")
        self.assertEqual(r.returncode, 4)
        self.assertEqual(self.error(d)["code"], "UNSUPPORTED_ARCH")

    def test_shape_mismatch(self):
        d = make_workdir()
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump({**CFG, "n_ff": 48}, f)
        r = train(d, "--mode", "full")
        self.assertEqual(r.returncode, 4)
        self.assertIn("blk.0.ffn_gate.weight", r.stderr)

    def test_token_out_of_vocab(self):
        d = make_workdir()
        with open(os.path.join(d, "tokens.bin"), "wb") as f:
            f.write(struct.pack("<3I", 1, 40, 2))
        r = train(d, "--mode", "full")
        self.assertEqual(r.returncode, 3)
        self.assertIn("token id 40", r.stderr)

    def test_too_little_data(self):
        d = make_workdir(text="hi")
        r = train(d, "--mode", "lora")
        self.assertEqual(r.returncode, 5)

    def test_bad_rank(self):
        r = train(make_workdir(), "--mode", "lora", "--rank", "0")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--rank must be between 1 and 256", r.stderr)

    def test_checkpoint_mismatch(self):
        d = make_workdir()
        train(d, "--mode", "lora", "--seq", "32", "--stop-after", "2", "--epochs", "3")
        r = train(d, "--mode", "lora", "--seq", "32", "--epochs", "3", "--rank", "4")
        self.assertEqual(r.returncode, 6)
        self.assertIn("delete checkpoint.pt", r.stderr)


if __name__ == "__main__":
    unittest.main()
