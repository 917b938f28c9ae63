"""Seeded generator of benchmark traces in the shapes of real models, in every binary format and
JSONL. Routing has structure (hot experts, groups) but the benchmark only needs realistic sizes.

    /usr/bin/python3 bench/ingest/generate_traces.py OUT_DIR [--scale 1.0]

Mixtral-8x7B: 1M tokens x 32 layers x top-2 of 8, with weights and logits.
DeepSeek-V3: 200k tokens x 58 layers x top-8 of 256, with weights.
"""
import argparse
import json
import os

import numpy as np

SHAPES = {
    "mixtral": dict(tokens=1_000_000, layers=32, experts=8, k=2, logits=True),
    "deepseek": dict(tokens=200_000, layers=58, experts=256, k=8, logits=False),
}


def routing(rng, T, L, E, k, with_logits):
    """Top-k of noisy logits with a few hot experts; returns ids, weights, logits (or None)."""
    bias = rng.normal(0, 1.0, size=(L, E)).astype(np.float32)
    ids = np.empty((T, L, k), np.int16)
    w = np.empty((T, L, k), np.float32)
    lg = np.empty((T, L, E), np.float32) if with_logits else None
    step = max(1, 2_000_000 // (L * E))
    for t0 in range(0, T, step):
        t1 = min(T, t0 + step)
        x = rng.standard_normal((t1 - t0, L, E), dtype=np.float32) + bias
        top = np.argpartition(-x, k - 1, axis=-1)[..., :k]
        tv = np.take_along_axis(x, top, -1)
        order = np.argsort(-tv, axis=-1)
        top = np.take_along_axis(top, order, -1)
        tv = np.take_along_axis(tv, order, -1)
        p = np.exp(tv - tv.max(-1, keepdims=True))
        ids[t0:t1] = top
        w[t0:t1] = p / p.sum(-1, keepdims=True)
        if lg is not None:
            lg[t0:t1] = x
    return ids, w, lg


def write_safetensors(path, tensors):
    header, offset = {}, 0
    for name, a in tensors.items():
        dt = {np.dtype(np.int16): "I16", np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[a.dtype]
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for a in tensors.values():
            a.tofile(f)


def write_jsonl(path, ids, w, lg, seq):
    T, L, k = ids.shape
    with open(path, "w") as f:
        for t0 in range(0, T, 20_000):
            lines = []
            ids_l = ids[t0:t0 + 20_000].tolist()
            # float64 before rounding, so the JSON holds 0.82321, not float32's 0.8232100009918213
            w_l = np.round(w[t0:t0 + 20_000].astype(np.float64), 5).tolist()
            lg_l = np.round(lg[t0:t0 + 20_000].astype(np.float64), 4).tolist() if lg is not None else None
            for i, (row_ids, row_w) in enumerate(zip(ids_l, w_l)):
                t = t0 + i
                for l in range(L):
                    ev = {"seq": int(seq[t]), "token": t % 4096, "layer": l, "experts": row_ids[l], "weights": row_w[l]}
                    if lg_l is not None:
                        ev["logits"] = lg_l[i][l]
                    lines.append(json.dumps(ev, separators=(",", ":")))
            f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", default="mixtral,deepseek")
    ap.add_argument("--formats", default="npy,npz,npz-compressed,safetensors,jsonl")
    a = ap.parse_args()
    formats = a.formats.split(",")
    os.makedirs(a.out, exist_ok=True)
    for name in a.only.split(","):
        s = SHAPES[name]
        T = max(1, int(s["tokens"] * a.scale))
        rng = np.random.default_rng(2026)
        ids, w, lg = routing(rng, T, s["layers"], s["experts"], s["k"], s["logits"])
        seq = (np.arange(T) // 4096).astype(np.int32)
        arrays = {"expert_ids": ids, "weights": w, "seq_ids": seq}
        if lg is not None:
            arrays["logits"] = lg
        base = f"{a.out}/{name}"
        if "npy" in formats:
            np.save(f"{base}.npy", ids)
        if "npz" in formats:
            np.savez(f"{base}.npz", **arrays)
        if "npz-compressed" in formats:
            np.savez_compressed(f"{base}-compressed.npz", **arrays)
        if "safetensors" in formats:
            write_safetensors(f"{base}.safetensors", arrays)
        if "jsonl" in formats:
            write_jsonl(f"{base}.jsonl", ids, w, lg, seq)
        print(json.dumps({"shape": name, "tokens": T, "layers": s["layers"], "experts": s["experts"], "k": s["k"]}))


main()
