"""Independent check for bench/placement/events.ts, in numpy: C_T of the optimized placement counted
on the token sets, and that no swap of two experts on different devices lowers it (every pair's
change computed from per-token device counts built here from scratch).

    /usr/bin/python3 bench/placement/events_check_numpy.py TOKENS_FILE E D K N < dev.json
Prints one JSON line: {"ct", "minDelta", "pairs", "seconds"}.
"""
import json
import sys
import time

import numpy as np

path, E, D, K, N = sys.argv[1], *map(int, sys.argv[2:6])
dev = np.array(json.load(sys.stdin), dtype=np.int64)
ids = np.fromfile(path, np.int16).reshape(N, K).astype(np.int64)
t0 = time.perf_counter()
tokdev = dev[ids]  # [N, K]
cnt = np.zeros((N, D), np.int64)
np.add.at(cnt, (np.repeat(np.arange(N), K), tokdev.ravel()), 1)
reached = int((cnt > 0).sum())
# Per expert e: load, alone (tokens where e is alone on its device), R[e, d] (tokens of e reaching d),
# S[e, f] (tokens holding e and f where e is alone): the swap change is then
# (load_a - alone_a - R[a, dev b]) + (load_b - alone_b - R[b, dev a]) + S[a, b] + S[b, a].
flat = ids.ravel()
load = np.bincount(flat, minlength=E)
alone_tk = (np.take_along_axis(cnt, tokdev, axis=1) == 1)  # [N, K]
alone = np.bincount(flat, weights=alone_tk.ravel(), minlength=E)
R = np.zeros((E, D))
reach = (cnt > 0).astype(np.float64)  # [N, D]
for a in range(K):
    np.add.at(R, ids[:, a], reach)
S = np.zeros((E, E))
for a in range(K):
    for b in range(K):
        if a != b:
            np.add.at(S, (ids[:, a], ids[:, b]), alone_tk[:, a].astype(np.float64))
H = load[:, None] - alone[:, None] - R  # [E, D]
# delta[a, b] = H[a, dev b] + H[b, dev a] + S[a, b] + S[b, a]
delta = H[np.arange(E)[:, None], dev[None, :]] + H[np.arange(E)[None, :], dev[:, None]] + S + S.T
other = dev[:, None] != dev[None, :]
print(json.dumps({"ct": reached / N, "minDelta": float(delta[other].min()), "pairs": int(other.sum() // 2), "seconds": time.perf_counter() - t0}))
