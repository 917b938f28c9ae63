"""Seeded data for bench/placement: routing events with router logits (for the A6 simulations) and
co-activation matrices with planted structure (for the A5 placement search). Raw little-endian
arrays plus a meta.json, so both sides read them without a parser in the timed part.

    /usr/bin/python3 bench/placement/generate.py OUT_DIR [--scale 1.0]

Routing (events ordered token by token, layer by layer, as traces are):
  mixtral:  Mixtral-8x7B shape, 32 layers, top-2 of 8, softmax router, renormalized.
  deepseek: DeepSeek-V3 shape (fewer layers), top-8 of 256, sigmoid router, renormalized. The
            original top-k is the plain top-k of the scores (V3's bias and group limit are left out:
            the simulations only need the logits and some original routing to diff against).
Tokens fall in latent clusters and each cluster prefers a few experts per layer, so co-activation
has structure and C2R's Top-T lists mean something.

Placement: co-activation matrices whose communities are hidden under a random permutation of ids:
  p256: 256 experts for 64 devices (4 a device): communities of 2 to 8 experts inside
        super-communities of 16, hot experts, Poisson noise;
  p64:  64 experts for 8 devices (8 a device): communities of 2 to 16 inside super-communities of 32;
  and the original co-activation of the deepseek routing above (256 experts, from events).
"""
import argparse
import json
import os

import numpy as np

SHAPES = {
    "mixtral": dict(tokens=100_000, layers=32, experts=8, k=2, router="softmax", clusters=16, prefer=2, boost=1.5),
    "deepseek": dict(tokens=25_000, layers=8, experts=256, k=8, router="sigmoid", clusters=64, prefer=12, boost=2.0),
}
PLANTED = {
    "p256": dict(experts=256, layers=8, devices=64),
    "p64": dict(experts=64, layers=16, devices=8),
}


def routing(rng, T, L, E, k, clusters, prefer, boost):
    """Logits [T, L, E] float32 and the original top-k ids [T, L, k] int16 (descending score)."""
    bias = rng.normal(0, 0.7, size=(L, E)).astype(np.float32)
    pref = np.stack([np.stack([rng.choice(E, prefer, replace=False) for _ in range(clusters)]) for _ in range(L)])  # [L, clusters, prefer]
    boostm = np.zeros((L, clusters, E), np.float32)
    for l in range(L):
        for c in range(clusters):
            boostm[l, c, pref[l, c]] = boost
    cl = rng.integers(0, clusters, size=T)
    lg = np.empty((T, L, E), np.float32)
    ids = np.empty((T, L, k), np.int16)
    step = max(1, 4_000_000 // (L * E))
    for t0 in range(0, T, step):
        t1 = min(T, t0 + step)
        x = rng.standard_normal((t1 - t0, L, E), dtype=np.float32) + bias + boostm[:, cl[t0:t1]].transpose(1, 0, 2)
        top = np.argpartition(-x, k - 1, axis=-1)[..., :k]
        order = np.argsort(-np.take_along_axis(x, top, -1), axis=-1)
        ids[t0:t1] = np.take_along_axis(top, order, -1)
        lg[t0:t1] = x
    return lg, ids


def coactivation(ids, L, E):
    """[L, E, E] float64 co-activation of the top-k ids [T, L, k]."""
    T, _, k = ids.shape
    co = np.zeros((L, E * E))
    x = ids.astype(np.int64)
    for l in range(L):
        for a in range(k):
            for b in range(k):
                if a != b:
                    co[l] += np.bincount(x[:, l, a] * E + x[:, l, b], minlength=E * E)
    return co.reshape(L, E, E)


def planted(rng, E, g):
    """Integer counts, symmetric, zero diagonal: strong inside communities of 2 to 2g experts (g =
    experts per device, so they do not tile the devices and the greedy grouping leaves fragments),
    weaker inside super-communities of 4g, a load-product background with hot experts; ids permuted."""
    perm = rng.permutation(E)
    sizes = []
    while sum(sizes) < E:
        sizes.append(int(rng.integers(2, 2 * g + 1)))
    sizes[-1] -= sum(sizes) - E
    c_of = np.empty(E, np.int64)
    s_of = np.empty(E, np.int64)
    c_of[perm] = np.repeat(np.arange(len(sizes)), sizes)
    s_of[perm] = np.arange(E) // (4 * g)
    heat = rng.lognormal(0, 0.6, size=E)
    lam = 40.0 * np.outer(heat, heat) + 300.0 * (s_of[:, None] == s_of[None, :]) + 1500.0 * (c_of[:, None] == c_of[None, :])
    # Communities are not all equally tight, and some members are loosely attached.
    lam *= np.sqrt(np.outer(rng.uniform(0.3, 1.0, E), rng.uniform(0.3, 1.0, E)))
    up = np.triu(rng.poisson(lam).astype(np.float64), 1)
    return up + up.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    meta = {"routing": {}, "placement": {}}
    for name, s in SHAPES.items():
        rng = np.random.default_rng(2026)
        T = max(1, int(s["tokens"] * a.scale))
        L, E, k = s["layers"], s["experts"], s["k"]
        lg, ids = routing(rng, T, L, E, k, s["clusters"], s["prefer"], s["boost"])
        co = coactivation(ids, L, E)
        n = T * L
        lg.reshape(n, E).tofile(f"{a.out}/{name}-logits.f32")
        ids.reshape(n, k).tofile(f"{a.out}/{name}-ids.i16")
        np.tile(np.arange(L, dtype=np.uint16), T).tofile(f"{a.out}/{name}-layer.u16")
        co.tofile(f"{a.out}/{name}-coact.f64")
        # Dropped experts per layer for the drop simulation: 1 of 8, or 32 of 256.
        drop = np.zeros((L, E), np.uint8)
        for l in range(L):
            drop[l, rng.choice(E, max(1, E // 8), replace=False)] = 1
        drop.tofile(f"{a.out}/{name}-drop.u8")
        meta["routing"][name] = dict(events=n, tokens=T, layers=L, experts=E, topK=k, router=s["router"], renormalize=True)
        print(json.dumps({"routing": name, "events": n, "layers": L, "experts": E, "k": k}))
    for name, s in PLANTED.items():
        rng = np.random.default_rng(7)
        E, L = s["experts"], s["layers"]
        C = np.stack([planted(rng, E, E // s["devices"]) for _ in range(L)])
        C.tofile(f"{a.out}/{name}-coact.f64")
        meta["placement"][name] = dict(experts=E, layers=L)
        print(json.dumps({"placement": name, "experts": E, "layers": L}))
    with open(f"{a.out}/meta.json", "w") as f:
        json.dump(meta, f, indent=1)


main()
