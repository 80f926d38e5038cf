#!/usr/bin/env python3
"""Tributary's reference trainer: full fine-tuning or LoRA of a llama model, standard library + PyTorch only.

Usage: /usr/bin/python3 trainer/train.py --workdir W --mode full|lora [--rank 8 --alpha 16 --epochs 1 --seq 128
       --batch 8 --lr 1e-3 --threads 2 --seed 0 --max-steps N]
       /usr/bin/python3 trainer/train.py --check     (is PyTorch importable? exit 0 or 7)

Reads W/config.json, W/base.safetensors, W/tokens.bin; writes W/progress.jsonl, W/checkpoint.pt, W/out.safetensors,
W/done.json (or W/error.json on bad input). See trainer/README.md for the contract and the exit codes.
"""

import argparse
import json
import math
import os
import signal
import sys
import time

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_UNSUPPORTED = 4
EXIT_TOO_LITTLE_DATA = 5
EXIT_CHECKPOINT_MISMATCH = 6
EXIT_NO_TORCH = 7
EXIT_INTERRUPTED = 75

INSTALL_HINT = "apt-get install -y python3-torch libopenblas0-pthread"
DEFAULT_TARGETS = "attn_q,attn_k,attn_v,attn_output"
ALL_TARGETS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")
CONFIG_KEYS = ("n_vocab", "n_embd", "n_layer", "n_head", "n_head_kv", "n_ff", "n_ctx_train")


class TrainerError(Exception):
    """An expected failure: a message, a hint and an exit code."""

    def __init__(self, code, exit_code, message, hint):
        super().__init__(message)
        self.code = code
        self.exit_code = exit_code
        self.message = message
        self.hint = hint


def write_json_atomic(path, value):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="train.py", description="Fine-tune a llama model (full or LoRA) from a workdir.")
    p.add_argument("--check", action="store_true", help="only check that PyTorch can be imported")
    p.add_argument("--workdir", help="directory with config.json, base.safetensors, tokens.bin")
    p.add_argument("--mode", choices=("full", "lora"), help="train every weight, or a LoRA adapter")
    p.add_argument("--rank", type=int, default=8, help="LoRA rank (1..256, default 8)")
    p.add_argument("--alpha", type=float, default=16.0, help="LoRA alpha; delta W = alpha/rank * B @ A (default 16)")
    p.add_argument("--targets", default=DEFAULT_TARGETS, help=f"LoRA matrices (default {DEFAULT_TARGETS})")
    p.add_argument("--epochs", type=int, default=1, help="passes over the tokens (default 1)")
    p.add_argument("--seq", type=int, default=128, help="tokens per training sequence (default 128)")
    p.add_argument("--batch", type=int, default=8, help="sequences per step (default 8)")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default 3e-3 full, 1e-3 lora)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="AdamW weight decay (default 0)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--seed", type=int, default=0, help="seed for the LoRA init and the data order (default 0)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = no limit)")
    p.add_argument("--checkpoint-every", type=int, default=20, help="steps between checkpoints (default 20)")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="checkpoint and exit when the parent process dies (the node's job runner uses it)")
    p.add_argument("--stop-after", type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.check:
        return a
    if not a.workdir or not a.mode:
        p.error("--workdir and --mode are required")
    bounds = (
        ("rank", 1, 256), ("epochs", 1, 1000), ("seq", 2, 8192), ("batch", 1, 1024), ("threads", 1, 256),
        ("max_steps", 0, 10_000_000), ("checkpoint_every", 1, 1_000_000), ("seed", 0, 2**31 - 1),
    )
    for name, lo, hi in bounds:
        v = getattr(a, name)
        if v < lo or v > hi:
            p.error(f"--{name.replace('_', '-')} must be between {lo} and {hi} (got {v})")
    if a.lr is None:
        a.lr = 3e-3 if a.mode == "full" else 1e-3
    if not (0 < a.lr <= 1):
        p.error(f"--lr must be in (0, 1] (got {a.lr})")
    if not (0 < a.alpha <= 4096):
        p.error(f"--alpha must be in (0, 4096] (got {a.alpha})")
    targets = [t.strip() for t in a.targets.split(",") if t.strip()]
    bad = [t for t in targets if t not in ALL_TARGETS]
    if bad or not targets:
        p.error(f"--targets must name some of {', '.join(ALL_TARGETS)} (got {a.targets!r})")
    a.targets = targets
    return a


def load_config(workdir):
    path = os.path.join(workdir, "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
    except FileNotFoundError as e:
        raise TrainerError("MISSING_FILE", EXIT_BAD_INPUT, f"{path} does not exist",
                           "write config.json (see trainer/README.md)") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TrainerError("BAD_CONFIG", EXIT_BAD_INPUT, f"{path} is not JSON: {e}",
                           "write config.json as JSON (see trainer/README.md)") from e
    if not isinstance(cfg, dict):
        raise TrainerError("BAD_CONFIG", EXIT_BAD_INPUT, f"{path} is not a JSON object", "see trainer/README.md")
    if cfg.get("arch") != "llama":
        raise TrainerError("UNSUPPORTED_ARCH", EXIT_UNSUPPORTED,
                           f"config.json arch is {cfg.get('arch')!r}; this trainer trains llama models only",
                           "use a llama-architecture base GGUF, or another trainer (see trainer/README.md)")
    for key in CONFIG_KEYS:
        v = cfg.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise TrainerError("BAD_CONFIG", EXIT_BAD_INPUT, f"config.json {key} must be a positive integer (got {v!r})",
                               "see trainer/README.md")
    for key in ("rope_freq_base", "rms_eps"):
        v = cfg.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
            raise TrainerError("BAD_CONFIG", EXIT_BAD_INPUT, f"config.json {key} must be a positive number (got {v!r})",
                               "see trainer/README.md")
    if cfg["n_embd"] % cfg["n_head"] or (cfg["n_embd"] // cfg["n_head"]) % 2 or cfg["n_head"] % cfg["n_head_kv"]:
        raise TrainerError("BAD_CONFIG", EXIT_BAD_INPUT,
                           "config.json heads do not divide: n_embd/n_head must be even and n_head a multiple of n_head_kv",
                           "check n_embd, n_head, n_head_kv")
    return cfg


def load_tokens(workdir, n_vocab, torch):
    path = os.path.join(workdir, "tokens.bin")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError as e:
        raise TrainerError("MISSING_FILE", EXIT_BAD_INPUT, f"{path} does not exist",
                           "write the tokens as uint32 little-endian (see trainer/README.md)") from e
    if len(raw) % 4:
        raise TrainerError("BAD_TOKENS", EXIT_BAD_INPUT, f"{path} has {len(raw)} bytes, not a multiple of 4",
                           "tokens.bin holds uint32 little-endian token ids")
    toks = torch.frombuffer(bytearray(raw), dtype=torch.int32).to(torch.int64) & 0xFFFFFFFF
    if toks.numel() and int(toks.max()) >= n_vocab:
        raise TrainerError("BAD_TOKENS", EXIT_BAD_INPUT,
                           f"tokens.bin has token id {int(toks.max())}, the vocabulary has {n_vocab}",
                           "tokenize with the base model's own tokenizer")
    return toks


def run(args):
    import torch

    from model import Lora, ModelError, check_weights, forward, rope_tables
    from safetensors_io import SafetensorsError, read_safetensors, write_safetensors

    torch.set_num_threads(args.threads)
    workdir = args.workdir
    if not os.path.isdir(workdir):
        raise TrainerError("MISSING_WORKDIR", EXIT_BAD_INPUT, f"{workdir} is not a directory", "create the workdir first")
    for stale in ("error.json", "done.json"):
        if os.path.exists(os.path.join(workdir, stale)):
            os.remove(os.path.join(workdir, stale))
    cfg = load_config(workdir)
    try:
        weights = read_safetensors(os.path.join(workdir, "base.safetensors"))
    except FileNotFoundError as e:
        raise TrainerError("MISSING_FILE", EXIT_BAD_INPUT, f"{workdir}/base.safetensors does not exist",
                           "write the base weights (see trainer/README.md)") from e
    except SafetensorsError as e:
        raise TrainerError("BAD_WEIGHTS", EXIT_BAD_INPUT, str(e), "write base.safetensors again") from e
    try:
        check_weights(cfg, weights)
    except ModelError as e:
        raise TrainerError("BAD_WEIGHTS", EXIT_UNSUPPORTED, str(e), "base.safetensors must match config.json") from e
    tokens = load_tokens(workdir, cfg["n_vocab"], torch)

    seq = min(args.seq, cfg["n_ctx_train"])
    n_samples = (tokens.numel() - 1) // seq
    if n_samples < 1:
        raise TrainerError("TOO_LITTLE_DATA", EXIT_TOO_LITTLE_DATA,
                           f"tokens.bin has {tokens.numel()} tokens; one sequence needs {seq + 1}",
                           "train on more documents, or pass a smaller --seq")
    steps_per_epoch = (n_samples + args.batch - 1) // args.batch
    steps = steps_per_epoch * args.epochs
    if args.max_steps:
        steps = min(steps, args.max_steps)

    settings = {
        "mode": args.mode, "rank": args.rank, "alpha": args.alpha, "targets": args.targets, "epochs": args.epochs,
        "seq": seq, "batch": args.batch, "lr": args.lr, "weight_decay": args.weight_decay, "seed": args.seed,
        "steps": steps, "tokens": tokens.numel(),
    }

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    lora = None
    if args.mode == "lora":
        names = [f"blk.{i}.{t}.weight" for i in range(cfg["n_layer"]) for t in args.targets]
        lora = Lora(weights, names, args.rank, args.alpha, gen)
        params = list(lora.parameters())
        for t in weights.values():
            t.requires_grad_(False)
    else:
        params = sorted(weights.items())
        for _, t in params:
            t.requires_grad_(True)
    opt = torch.optim.AdamW([t for _, t in params], lr=args.lr, betas=(0.9, 0.95), eps=1e-8,
                            weight_decay=args.weight_decay)

    ckpt_path = os.path.join(workdir, "checkpoint.pt")
    progress_path = os.path.join(workdir, "progress.jsonl")
    start_step, seconds_before, losses = 0, 0.0, []
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path)
        if ckpt.get("settings") != settings:
            raise TrainerError("CHECKPOINT_MISMATCH", EXIT_CHECKPOINT_MISMATCH,
                               f"{ckpt_path} was written with other settings or inputs",
                               "rerun with the same settings, or delete checkpoint.pt to start over")
        with torch.no_grad():
            for name, t in params:
                t.copy_(ckpt["params"][name])
        opt.load_state_dict(ckpt["optimizer"])
        start_step, seconds_before, losses = ckpt["step"], ckpt["seconds"], ckpt["losses"]
    # Keep progress.jsonl consistent with the checkpoint: drop lines of steps that will be redone.
    kept = []
    if start_step and os.path.exists(progress_path):
        with open(progress_path, encoding="utf-8") as f:
            for line in f:
                try:
                    if json.loads(line)["step"] <= start_step:
                        kept.append(line if line.endswith("\n") else line + "\n")
                except (json.JSONDecodeError, KeyError, TypeError):
                    break
    with open(progress_path, "w", encoding="utf-8") as f:
        f.writelines(kept)

    stop = {"signal": None}
    parent = os.getppid()

    def on_signal(signum, _frame):
        stop["signal"] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def save_checkpoint(step, seconds):
        tmp = ckpt_path + ".tmp"
        torch.save({"settings": settings, "step": step, "seconds": seconds, "losses": losses,
                    "params": {n: t.detach().clone() for n, t in params}, "optimizer": opt.state_dict()}, tmp)
        os.replace(tmp, ckpt_path)

    rope = rope_tables(cfg, seq)
    warmup = max(1, min(20, steps // 10))
    tokens_per_step = args.batch * seq
    t0 = time.monotonic()
    done_here = 0
    step = start_step
    progress = open(progress_path, "a", encoding="utf-8")
    order, order_epoch = None, -1
    while step < steps:
        epoch, within = divmod(step, steps_per_epoch)
        if epoch != order_epoch:
            order = torch.randperm(n_samples, generator=torch.Generator().manual_seed(args.seed * 1000003 + epoch))
            order_epoch = epoch
        idx = order[within * args.batch : (within + 1) * args.batch]
        starts = idx * seq
        batch = torch.stack([tokens[s : s + seq + 1] for s in starts.tolist()])
        lr = args.lr * min(1.0, (step + 1) / warmup)
        if steps > warmup:
            # Cosine decay to 10% of the peak after the warmup.
            frac = max(0.0, (step - warmup) / (steps - warmup))
            lr = lr * (0.1 + 0.45 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        logits = forward(cfg, weights, batch[:, :-1], lora, rope)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([t for _, t in params], 1.0)
        opt.step()
        step += 1
        done_here += 1
        lv = float(loss.detach())
        losses.append(lv)
        elapsed = time.monotonic() - t0
        tps = done_here * tokens_per_step / elapsed if elapsed > 0 else 0.0
        eta = (steps - step) * elapsed / done_here
        progress.write(json.dumps({"step": step, "steps": steps, "loss": lv, "tokensPerSecond": tps,
                                   "etaSeconds": eta, "epoch": epoch + 1, "lr": lr}) + "\n")
        progress.flush()
        orphaned = args.exit_with_parent and os.getppid() != parent
        interrupted = (stop["signal"] is not None or orphaned
                       or (args.stop_after and step >= args.stop_after and step < steps))
        if step % args.checkpoint_every == 0 or interrupted:
            save_checkpoint(step, seconds_before + elapsed)
        if interrupted:
            progress.close()
            print(f"interrupted at step {step}/{steps}; checkpoint saved, rerun the same command to resume",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
    progress.close()
    elapsed = time.monotonic() - t0
    if args.mode == "lora":
        out = {n: t.detach() for n, t in lora.parameters()}
        meta = {"mode": "lora", "rank": args.rank, "alpha": args.alpha}
    else:
        out = {n: t.detach() for n, t in params}
        meta = {"mode": "full"}
    write_safetensors(os.path.join(workdir, "out.safetensors"), out, meta)
    tail = losses[-10:]
    write_json_atomic(os.path.join(workdir, "done.json"), {
        "steps": steps,
        "finalLoss": sum(tail) / len(tail) if tail else None,
        "firstLoss": losses[0] if losses else None,
        "tokensPerSecond": done_here * tokens_per_step / elapsed if elapsed > 0 else 0.0,
        "seconds": seconds_before + elapsed,
        "tokens": steps * tokens_per_step,
        "seq": seq,
        "batch": args.batch,
    })
    return EXIT_OK


def main(argv):
    args = parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError as e:
        print(f"error: PyTorch cannot be imported by {sys.executable} ({e}); install it: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_NO_TORCH
    if args.check:
        print(json.dumps({"ok": True, "torch": torch.__version__, "python": sys.version.split()[0]}))
        return EXIT_OK
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        return run(args)
    except TrainerError as e:
        print(f"error: {e.message}\nhint: {e.hint}", file=sys.stderr)
        if os.path.isdir(args.workdir):
            write_json_atomic(os.path.join(args.workdir, "error.json"),
                              {"code": e.code, "message": e.message, "hint": e.hint, "exitCode": e.exit_code})
        return e.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
