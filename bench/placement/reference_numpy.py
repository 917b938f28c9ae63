"""The numpy reference for bench/placement: the same A6 routing simulations and A5 placement
searches as lib/analysis/simulate-routing.ts and lib/analysis/placement-search.ts, on the same files,
written the way a numpy user would: simulations vectorized over blocks of 65,536 events, the swap
search vectorized over the swap partner b (the move rule is sequential first-improvement, so the
loop over a and over accepted swaps stays in Python; each accepted swap re-evaluates the rest of
a's row, which keeps the result identical to the scalar loop).

    /usr/bin/python3 bench/placement/reference_numpy.py sim DIR NAME PARAMS_JSON
    /usr/bin/python3 bench/placement/reference_numpy.py place DIR NAME DEVICES
Prints one JSON line with the same fields as bench/placement/measure.ts. Reading is not timed.
"""
import json
import sys
import time

import numpy as np

BLOCK = 65536
mode, d, name, arg = sys.argv[1:5]
meta = json.load(open(f"{d}/meta.json"))


# ---------------------------------------------------------------- A6 routing simulations


def top_collaborators(C, T):
    """TopT(e) per expert: largest C first, ties by id, self excluded. C [E, E] -> [E, T]."""
    E = C.shape[0]
    X = -C.copy()
    X[np.arange(E), np.arange(E)] = np.inf  # self sorts last
    return np.argsort(X, axis=1, kind="stable")[:, :T].astype(np.int64)


def scores(x, router, dropped=None):
    """softmax or sigmoid of float32 logits [n, E] in float64; dropped [n, E] bool -> score 0."""
    x = x.astype(np.float64)
    if router == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-x))
        if dropped is not None:
            s[dropped] = 0.0
        return s
    if dropped is not None:
        x[dropped] = -np.inf
    s = np.exp(x - x.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    return s


def topk_first(v, k):
    """Indices of the k largest values in each row of v; ties go to the lowest index, as the scan in
    id order of the TS side picks them (equal float32 logits do occur: about once in 10^6 events).
    argpartition breaks ties arbitrarily, so the few tied rows are redone with a stable sort."""
    idx = np.argpartition(-v, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(v, idx, axis=1).min(axis=1)
    tied = np.flatnonzero((v >= kth[:, None]).sum(axis=1) > k)
    if len(tied):
        idx[tied] = np.argsort(-v[tied], axis=1, kind="stable")[:, :k]
    return idx


def topk_allowed(s, allowed, k):
    """The k highest scores among allowed experts (order irrelevant downstream)."""
    return topk_first(np.where(allowed, s, -np.inf), k)


def sim():
    m = meta["routing"][name]
    p = json.loads(arg)
    L, E, K, N = m["layers"], m["experts"], m["topK"], m["events"]
    router, renorm = m["router"], m["renormalize"]
    logits = np.fromfile(f"{d}/{name}-logits.f32", np.float32).reshape(N, E)
    ids = np.fromfile(f"{d}/{name}-ids.i16", np.int16).reshape(N, K)
    layer = np.fromfile(f"{d}/{name}-layer.u16", np.uint16).astype(np.int64)
    collab_seconds = 0.0
    collab = None
    if p["kind"] == "c2r":
        co = np.fromfile(f"{d}/{name}-coact.f64", np.float64).reshape(L, E, E)
        t0 = time.perf_counter()
        collab = np.stack([top_collaborators(co[l], p["topT"]) for l in range(L)])  # [L, E, T]
        collab_seconds = time.perf_counter() - t0
    elif p["kind"] == "drop":
        drop = np.fromfile(f"{d}/{name}-drop.u8", np.uint8).reshape(L, E).astype(bool)
    per_ct = E // p["ctDevices"]

    tokens = np.zeros(L)
    flipped = np.zeros(L)
    mass_new = np.zeros(L)
    mass_old = np.zeros(L)
    load = np.zeros(L * E)
    wsum = np.zeros(L * E)
    co_new = np.zeros(L * E * E)
    reached = np.zeros(L)
    offdiag = ~np.eye(K, dtype=bool)

    t0 = time.perf_counter()
    for at in range(0, N, BLOCK):
        lay = layer[at:at + BLOCK]
        old = ids[at:at + BLOCK].astype(np.int64)
        n = len(lay)
        rows = np.arange(n)
        x = logits[at:at + BLOCK]
        if p["kind"] == "c2r":
            s = scores(x, router)
            pr = s
            e1 = s.argmax(axis=1)
            cand = np.sort(collab[lay, e1], axis=1)  # [n, T], in id order for the tie rule
            pc = np.take_along_axis(s, cand, axis=1)
            if K == 2:
                rest = cand[rows, pc.argmax(axis=1)][:, None]  # argmax: first (lowest id) of ties
            else:
                rest = np.take_along_axis(cand, topk_first(pc, K - 1), axis=1)
            new = np.concatenate([e1[:, None], rest], axis=1)
        elif p["kind"] == "device-limited":
            s = scores(x, router)
            pr = s
            D, M = p["devices"], p["maxDevices"]
            best = s.reshape(n, D, E // D).max(axis=2)
            keep = np.argsort(-best, axis=1, kind="stable")[:, :M]
            allowed_dev = np.zeros((n, D), bool)
            np.put_along_axis(allowed_dev, keep, True, axis=1)
            new = topk_allowed(s, np.repeat(allowed_dev, E // D, axis=1), K)
        else:
            dr = drop[lay]
            s = scores(x, router, dr)
            pr = scores(x, router)  # mass is measured with the original router's scores
            new = topk_allowed(s, ~dr, K)
        # Flips: top-k sets differ.
        flip = (np.sort(new, axis=1) != np.sort(old, axis=1)).any(axis=1)
        mn = np.take_along_axis(pr, new, axis=1).sum(axis=1)
        mo = np.take_along_axis(pr, old, axis=1).sum(axis=1)
        sn = np.take_along_axis(s, new, axis=1)
        w = (sn / sn.sum(axis=1, keepdims=True)) if renorm else sn
        w = w.astype(np.float32).astype(np.float64)  # stored as float32, like the TS side
        tokens += np.bincount(lay, minlength=L)
        flipped += np.bincount(lay, weights=flip, minlength=L)
        mass_new += np.bincount(lay, weights=mn, minlength=L)
        mass_old += np.bincount(lay, weights=mo, minlength=L)
        cell = lay[:, None] * E + new
        load += np.bincount(cell.ravel(), minlength=L * E)
        wsum += np.bincount(cell.ravel(), weights=w.ravel(), minlength=L * E)
        pair = (lay[:, None, None] * E * E + new[:, :, None] * E + new[:, None, :])[:, offdiag]
        co_new += np.bincount(pair.ravel(), minlength=L * E * E)
        dv = np.sort(new // per_ct, axis=1)
        reached += np.bincount(lay, weights=1 + (dv[:, 1:] != dv[:, :-1]).sum(axis=1), minlength=L)
    seconds = time.perf_counter() - t0
    co_new = co_new.reshape(L, E * E)
    wt = (np.arange(E * E) % 97) + 1
    print(json.dumps({
        "seconds": seconds,
        "collabSeconds": collab_seconds,
        "events": N,
        "tokens": tokens.tolist(),
        "flipped": flipped.tolist(),
        "massNew": mass_new.tolist(),
        "massOld": mass_old.tolist(),
        "load": load.tolist(),
        "weightSum": wsum.tolist(),
        "coSum": co_new.sum(axis=1).tolist(),
        "coCheck": (co_new * wt).sum(axis=1).tolist(),
        "reached": reached.tolist(),
        "collab": collab.ravel().tolist() if collab is not None else [],
    }))


# ---------------------------------------------------------------- A5 placement search


def colocated(C, groups):
    return float(sum(C[np.ix_(g, g)].sum() for g in groups) / 2)


def contiguous(E, D):
    g = E // D
    return [list(range(dd * g, (dd + 1) * g)) for dd in range(D)]


def round_robin(E, D):
    return [list(range(dd, E, D)) for dd in range(D)]


def greedy(C, E, D):
    """Occult's grouping: largest C_xy first (ties by x, y), merge while the group fits; then pack."""
    g = E // D
    xs, ys = np.triu_indices(E, 1)
    c = C[xs, ys]
    m = c > 0
    xs, ys, c = xs[m], ys[m], c[m]
    order = np.lexsort((ys, xs, -c))
    group_of = list(range(E))
    members = [[i] for i in range(E)]
    for x, y in zip(xs[order].tolist(), ys[order].tolist()):
        gx, gy = group_of[x], group_of[y]
        if gx == gy or len(members[gx]) + len(members[gy]) > g:
            continue
        for e in members[gy]:
            group_of[e] = gx
        members[gx].extend(members[gy])
        members[gy] = []
    groups = sorted((mm for mm in members if mm), key=lambda mm: (-len(mm), mm[0]))
    placement = [[] for _ in range(D)]
    leftovers = []
    for grp in groups:
        for dev in placement:
            if len(dev) + len(grp) <= g:
                dev.extend(grp)
                break
        else:
            leftovers.extend(grp)
    for e in leftovers:
        next(dev for dev in placement if len(dev) < g).append(e)
    return [sorted(dev) for dev in placement]


def local_search(C, E, D, start):
    """Pairwise swaps a < b across devices, first improvement (gain > 1e-9), until a pass finds none."""
    dev = np.empty(E, np.int64)
    for dd, grp in enumerate(start):
        dev[grp] = dd
    onehot = np.zeros((E, D))
    onehot[np.arange(E), dev] = 1.0
    aff = C @ onehot  # aff[e, d] = sum of C[e, x] over x on device d (C has a zero diagonal)
    while True:  # no pass cap, like the TS side: it ends when a pass finds no improving swap
        improved = False
        for a in range(E - 1):
            b0 = a + 1
            while b0 < E:
                da = dev[a]
                bs = np.arange(b0, E)
                db = dev[b0:]
                gain = aff[a, db] - aff[a, da] + aff[bs, da] - aff[bs, db] - 2 * C[a, b0:]
                ok = (db != da) & (gain > 1e-9)
                j = int(ok.argmax())
                if not ok[j]:
                    break
                b = b0 + j
                dbb = dev[b]
                delta = C[:, b] - C[:, a]
                aff[:, da] += delta
                aff[:, dbb] -= delta
                dev[a], dev[b] = dbb, da
                improved = True
                b0 = b + 1
        if not improved:
            break
    return [np.flatnonzero(dev == dd).tolist() for dd in range(D)]


def optimize(C, E, D, starts):
    best, best_score = None, -np.inf
    for st in starts:
        pl = local_search(C, E, D, st)
        sc = colocated(C, pl)
        if sc > best_score:
            best, best_score = pl, sc
    return [sorted(dev) for dev in best]


def place():
    D = int(arg)
    info = meta["placement"].get(name) or meta["routing"][name]
    E, L = info["experts"], info["layers"]
    co = np.fromfile(f"{d}/{name}-coact.f64", np.float64).reshape(L, E, E)
    rows = []
    for l in range(L):
        C = co[l]
        t0 = time.perf_counter()
        gr = greedy(C, E, D)
        t1 = time.perf_counter()
        base, rr = contiguous(E, D), round_robin(E, D)
        opt = optimize(C, E, D, [gr, base, rr])
        t2 = time.perf_counter()
        rows.append({
            "greedyMs": (t1 - t0) * 1000,
            "optimizeMs": (t2 - t1) * 1000,
            "totalMs": (t2 - t0) * 1000,
            "total": float(C.sum() / 2),
            "contiguous": colocated(C, base),
            "roundRobin": colocated(C, rr),
            "greedy": colocated(C, gr),
            "optimized": colocated(C, opt),
            "greedyPlacement": gr,
            "optimizedPlacement": opt,
        })
    print(json.dumps({"layers": rows}))


if mode == "sim":
    sim()
elif mode == "place":
    place()
else:
    raise SystemExit(f"unknown mode {mode}")
