"""numpy reference for bench/tokens: the same expert page answer's counting work (count(v, e) for
one expert of one layer, the layer's count(v), top tokens by count and by lift with minimum support
5) from the raw arrays, timed per request, plus its answers to check ours against.

    /usr/bin/python3 bench/tokens/reference_numpy.py TRACE.npz REQUESTS.json OUT.json
"""
import json
import sys
import time

import numpy as np


def main(trace, reqs_path, out):
    z = np.load(trace)
    ids = z["expert_ids"]
    tok = z["token_ids"].astype(np.int64)
    reqs = json.load(open(reqs_path))
    times, answers = [], []
    for r in reqs:
        t0 = time.perf_counter()
        layer, e = r["layer"], r["expert"]
        hit = (ids[:, layer, :] == e).any(axis=1)
        c = np.bincount(tok[hit], minlength=32000)
        base = np.bincount(tok, minlength=32000)
        load, n = c.sum(), base.sum()
        nz = np.nonzero(c)[0]
        by_count = nz[np.lexsort((nz, -c[nz]))][:25]
        ok = nz[c[nz] >= 5]
        lift = c[ok] * n / (base[ok] * load)
        by_lift = ok[np.lexsort((ok, -c[ok], -lift))][:25]
        times.append((time.perf_counter() - t0) * 1000)
        answers.append({"count": [[int(v), int(c[v])] for v in by_count], "lift": [int(v) for v in by_lift], "evtc": int(nz.size)})
    json.dump({"ms": times, "answers": answers}, open(out, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:])
