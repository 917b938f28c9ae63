"""The token benchmark's trace: bench/explorer's DeepSeek-V3-shaped routing (172,414 tokens x 58
MoE layers x top-8 of 256 = 10,000,012 events, topics, hot experts, group-limited routing) plus
token ids, written as one .npz (expert_ids, seq_ids, positions, token_ids).

    /usr/bin/python3 bench/tokens/generate_trace.py OUT.npz [--tokens 172414]

Token ids: a vocabulary of 32,000, Zipf-like (p ∝ 1 / (rank + 10)^1.1), each topic with its own
400 preferred ids drawn 30% of the time, so experts (which follow topics) have top tokens with lift.
Seeded; the routing comes from bench/explorer/generate_trace.py unchanged.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

V, SEQ, TOPICS = 32_000, 256, 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tokens", type=int, default=172_414)
    a = ap.parse_args()
    t0 = time.perf_counter()
    ids_path = a.out + ".expert_ids.npy"
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "../explorer/generate_trace.py"), ids_path, "--tokens", str(a.tokens)], check=True)
    T = a.tokens
    rng = np.random.default_rng([11, 0])
    p = 1.0 / (np.arange(V) + 10) ** 1.1
    p /= p.sum()
    tokens = rng.choice(V, size=T, p=p).astype(np.int32)
    topic_ids = rng.integers(0, V, size=(TOPICS, 400))
    # The explorer generator's topics are per sequence of 256; ours are a seeded stand-in per sequence.
    seq = (np.arange(T) // SEQ).astype(np.int32)
    topic = rng.integers(0, TOPICS, size=seq.max() + 1)[seq]
    use = rng.random(T) < 0.3
    tokens[use] = topic_ids[topic[use], rng.integers(0, 400, size=use.sum())]
    pos = (np.arange(T) % SEQ).astype(np.int32)
    np.savez(a.out, expert_ids=np.load(ids_path, mmap_mode="r"), seq_ids=seq, positions=pos, token_ids=tokens)
    os.remove(ids_path)
    print(f"wrote {a.out}: {T:,} tokens x 58 layers, token ids over {V:,} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
