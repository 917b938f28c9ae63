"""numpy reference of GET /api/runs/{id}/layers/{layer}?normalization=X, from the same stored bytes.

    /usr/bin/python3 bench/explorer/reference_numpy.py REF_DIR LAYER [LAYER ...]

REF_DIR holds, per layer, the bytea columns of layer_aggregates as written by Postgres (load,
weight_sum, coactivation, transitions: float64 little-endian) and MoE Atlas's answers for them
(normalized matrices, balance metrics, JSON sizes), exported by measure.ts. The files are read
before timing (the database fetch is not part of this reference). Timed, per (layer,
normalization), 5 repetitions:

- decode:    the bytes to float64 arrays (copied, as lib/db/f64.ts copies);
- compute:   the A2 normalization and the A1 balance metrics, vectorized;
- serialize: the same JSON answer (three 256 x 256 matrices as nested lists, load, weight sums,
             balance) with .tolist() and json.dumps.

Every answer is checked against ours (normalized matrices and balance metrics) before timing.
Prints one JSON line.
"""
import json
import math
import os
import sys
import time

import numpy as np

NORMS = ["raw", "conditional", "jaccard", "lift"]
E = 256


def normalize(C, load, tokens, norm):
    if norm == "raw":
        return C.copy()
    li = load[:, None]
    lj = load[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if norm == "conditional":
            num, den = C, np.broadcast_to(li, C.shape)
        elif norm == "jaccard":
            num, den = C, li + lj - C
        else:
            num, den = C * tokens, li * lj
        out = np.where(den > 0, num / den, 0.0)
    np.fill_diagonal(out, 0.0)
    return out


def balance(load):
    s = load.sum()
    mean = s / E
    mx = load.max()
    dead = np.flatnonzero(load == 0).tolist()
    if s <= 0:
        return dict(loadShare=[0.0] * E, maxOverMean=None, imbalance=None, balancedness=None, cv=None, gini=None, normalizedEntropy=None, jain=None, dead=dead, hot=[])
    p = load / s
    nz = p[p > 0]
    srt = np.sort(load)
    i = np.arange(1, E + 1)
    var = max(0.0, float((load * load).sum() / E - mean * mean))
    return dict(
        loadShare=p.tolist(),
        maxOverMean=mx / mean,
        imbalance=(mx - mean) / mean,
        balancedness=mean / mx,
        cv=math.sqrt(var) / mean,
        gini=float(((2 * i - E - 1) * srt).sum() / (E * s)),
        normalizedEntropy=float(-(nz * np.log(nz)).sum() / math.log(E)),
        jain=float(s * s / (E * (load * load).sum())),
        dead=dead,
        hot=np.flatnonzero(load >= 2 * mean).tolist(),
    )


def close(a, b, what):
    if isinstance(a, list):
        assert len(a) == len(b), what
        for x, y in zip(a, b):
            close(x, y, what)
    elif a is None or b is None:
        assert a is None and b is None, what
    else:
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)), f"{what}: {a} vs {b}"


def main():
    ref, layers = sys.argv[1], [int(x) for x in sys.argv[2:]]
    data = {}
    for l in layers:
        files = {k: os.path.join(ref, f"l{l}-{k}.f64") for k in ["load", "weight_sum", "coactivation", "transitions"]}
        # The last layer has no next layer, hence no transitions.
        raw = {k: open(f, "rb").read() if os.path.exists(f) else None for k, f in files.items()}
        ours = json.load(open(os.path.join(ref, f"l{l}-ours.json")))
        data[l] = (raw, ours)

    t = {"decode": [], "normalize": [], "balance": [], "compute": [], "serialize": [], "total": []}
    sizes = []
    checked = 0
    for rep in range(6):
        for l in layers:
            raw, ours = data[l]
            for norm in NORMS:
                t0 = time.perf_counter()
                load = np.frombuffer(raw["load"], "<f8").copy()
                ws = np.frombuffer(raw["weight_sum"], "<f8").copy()
                C = np.frombuffer(raw["coactivation"], "<f8").reshape(E, E).copy()
                # The explorer's answer no longer carries transitions (include=transitions adds them).
                T = None
                t1 = time.perf_counter()
                # The API sends normalized values to 7 significant digits; so does the reference
                # (Python and JS may round the 7th digit differently: compared to 2e-6).
                N = np.array([float(f"{v:.7g}") for v in normalize(C, load, ours["tokens"], norm).ravel()]).reshape(E, E)
                t2 = time.perf_counter()
                b = balance(load)
                t3 = time.perf_counter()
                answer = dict(layer=l, modelLayer=l + 3, experts=E, tokens=ours["tokens"], load=load.tolist(), weightSum=ws.tolist(),
                              coactivation=C.tolist(), balance=b, normalization=norm, normalized=N.tolist())
                body = json.dumps(answer, separators=(",", ":")).encode()
                t4 = time.perf_counter()
                if rep == 0:
                    mine = np.fromfile(os.path.join(ref, f"l{l}-ours-{norm}.f64"), "<f8").reshape(E, E)
                    assert np.allclose(N, mine, rtol=2e-6, atol=0), f"layer {l} {norm}: normalized differs, max {np.abs(N - mine).max()}"
                    for k, v in b.items():
                        close(v, ours["balance"][k], f"layer {l} balance.{k}")
                    sizes.append((len(body), ours[f"bytes_{norm}"]))
                    checked += 1
                    continue  # the first round checks and warms up; it is not timed
                ms = lambda a, z: (z - a) * 1000
                t["decode"].append(ms(t0, t1))
                t["normalize"].append(ms(t1, t2))
                t["balance"].append(ms(t2, t3))
                t["compute"].append(ms(t1, t3))
                t["serialize"].append(ms(t3, t4))
                t["total"].append(ms(t0, t4))

    def st(v):
        a = np.array(v)
        return dict(n=len(v), p50=round(float(np.percentile(a, 50)), 3), p95=round(float(np.percentile(a, 95)), 3), p99=round(float(np.percentile(a, 99)), 3), max=round(float(a.max()), 3), mean=round(float(a.mean()), 3))

    print(json.dumps(dict(numpy=np.__version__, checked=checked, stages={k: st(v) for k, v in t.items()},
                          jsonBytes=dict(numpy=int(np.mean([s[0] for s in sizes])), ours=int(np.mean([s[1] for s in sizes]))))))


if __name__ == "__main__":
    main()
