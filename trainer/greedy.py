#!/usr/bin/env python3
"""Greedy continuations with the trainer's forward pass (to check it against llama.cpp).

Usage: /usr/bin/python3 trainer/greedy.py --workdir W --prompts prompts.json --tokens N [--weights out.safetensors]
prompts.json: [[token ids], ...]; prints {"continuations": [[ids], ...], "margins": [[top1 - top2 logit], ...]}.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from model import forward  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workdir", required=True)
    p.add_argument("--prompts", required=True)
    p.add_argument("--tokens", type=int, default=8)
    p.add_argument("--weights", default="base.safetensors")
    a = p.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(a.workdir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    weights = read_safetensors(os.path.join(a.workdir, a.weights))
    with open(a.prompts, encoding="utf-8") as f:
        prompts = json.load(f)
    out, margins = [], []
    with torch.no_grad():
        for prompt in prompts:
            ids = list(prompt)
            gen, mar = [], []
            for _ in range(a.tokens):
                logits = forward(cfg, weights, torch.tensor([ids]))[0, -1]
                top = torch.topk(logits, 2)
                nxt = int(top.indices[0])
                gen.append(nxt)
                mar.append(float(top.values[0] - top.values[1]))
                ids.append(nxt)
            out.append(gen)
            margins.append(mar)
    print(json.dumps({"continuations": out, "margins": margins}))


if __name__ == "__main__":
    main()
