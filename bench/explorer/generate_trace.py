"""Seeded DeepSeek-V3-shaped routing trace for the layer-explorer benchmark: expert_ids int16
[tokens, 58, 8] as a lone .npy (what vLLM/SGLang "return routed experts" dumps look like).

    /usr/bin/python3 bench/explorer/generate_trace.py OUT.npy [--tokens 172414] [--seed 7] [--workers 2]

172,414 tokens x 58 MoE layers = 10,000,012 events (80M routed assignments).

Routing has the structure the explorer is there to show, so the matrices are not flat noise:
- each layer has a few hot experts (a per-layer bias, normal with sd 0.6);
- tokens come in sequences of 256, each sequence about one of 16 topics (Zipf-like frequencies);
  a topic raises the scores of its own 24 experts per layer (+1.5) in every layer, so
  co-activation has blocks and consecutive layers' transitions are predictable;
- group-limited routing as in DeepSeek-V2/V3: 8 groups of 32 experts, the 4 groups with the best
  expert are kept (V3 scores a group by its two best; the max is cheaper and makes the same kind of
  structure), then the top-8 experts inside the kept groups, highest score first.
Scores are bias + topic + 3 * uniform noise (uniform is ~4x cheaper to draw than normal; this is
about the shape of the matrices, not about a faithful router). No expert appears twice within a
token's top-8. Each sequence's noise comes from its own seeded stream, so the output does not
depend on the number of workers.
"""
import argparse
import multiprocessing as mp
import time

import numpy as np

L, E, K = 58, 256, 8
GROUPS, KEEP_GROUPS = 8, 4
GW = E // GROUPS
TOPICS, TOPIC_EXPERTS = 16, 24
SEQ = 256

_state = {}


def _init(out, T, seed):
    rng = np.random.default_rng([seed, 0])
    bias = rng.normal(0, 0.6, size=(L, E)).astype(np.float32)
    topic_bias = np.zeros((TOPICS, L, E), np.float32)
    for c in range(TOPICS):
        for l in range(L):
            topic_bias[c, l, rng.choice(E, TOPIC_EXPERTS, replace=False)] = 1.5
    freq = 1.0 / np.arange(1, TOPICS + 1) ** 0.8
    topics = rng.choice(TOPICS, size=(T + SEQ - 1) // SEQ, p=freq / freq.sum())
    _state.update(ids=np.load(out, mmap_mode="r+"), bias=bias, topic_bias=topic_bias, topics=topics, T=T, seed=seed)


def _sequence(q):
    st = _state
    s, e = q * SEQ, min(st["T"], (q + 1) * SEQ)
    n = e - s
    rng = np.random.default_rng([st["seed"], 1, q])
    x = rng.random((n, L, E), dtype=np.float32)
    x *= 3
    x += st["bias"]
    x += st["topic_bias"][st["topics"][q]]
    g = x.reshape(n, L, GROUPS, GW)
    kept = np.argpartition(-g.max(-1), KEEP_GROUPS - 1, axis=-1)[..., :KEEP_GROUPS]  # [n, L, 4]
    xs = np.take_along_axis(g, kept[..., None], axis=-2).reshape(n, L, KEEP_GROUPS * GW)
    top = np.argpartition(-xs, K - 1, axis=-1)[..., :K]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(xs, top, -1), axis=-1), -1)
    st["ids"][s:e] = (np.take_along_axis(kept, top // GW, -1) * GW + top % GW).astype(np.int16)
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tokens", type=int, default=172_414)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    T = a.tokens
    t0 = time.perf_counter()
    np.lib.format.open_memmap(a.out, mode="w+", dtype=np.int16, shape=(T, L, K)).flush()
    seqs = range((T + SEQ - 1) // SEQ)
    with mp.get_context("fork").Pool(a.workers, _init, (a.out, T, a.seed)) as pool:
        assert sum(pool.imap_unordered(_sequence, seqs, chunksize=4)) == T
    ids = np.load(a.out, mmap_mode="r")
    sample = np.sort(ids[:: max(1, T // 2000)], axis=-1)
    assert not (sample[..., 1:] == sample[..., :-1]).any(), "an expert twice within a top-k"
    assert sample.min() >= 0 and sample.max() < E
    print(f"wrote {a.out}: {T:,} tokens x {L} layers x top-{K} = {T * L:,} events in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
