"""The numpy reference for bench/ingest: the same aggregates (load, weight sums, co-activation,
transitions between consecutive layers) and the same checks (ids in range, no repeated expert in a
top-k, finite weights and logits) from the same files, vectorized, in token blocks.

    /usr/bin/python3 bench/ingest/reference_numpy.py FILE LAYERS EXPERTS TOPK
Prints one JSON line: seconds, events, peak RSS and checksums of the aggregates.
"""
import json
import resource
import sys
import time
import zipfile

import numpy as np

path, L, E, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
BLOCK = 65536


class Agg:
    def __init__(self):
        self.load = np.zeros((L, E))
        self.wsum = np.zeros((L, E))
        self.co = np.zeros((L, E * E))
        self.tr = np.zeros((max(L - 1, 0), E * E))
        self.events = 0

    def add(self, ids, w, lg):
        """ids [n, L, k] int, w [n, L, k] float or None, lg [n, L, E] or None."""
        ids = ids.astype(np.int64)
        n, _, k = ids.shape
        if ids.max(initial=-1) >= E or ids.min(initial=0) < -1:
            raise ValueError("expert id out of range")
        s = np.sort(ids, axis=-1)
        if np.any((s[..., 1:] == s[..., :-1]) & (s[..., 1:] >= 0)):
            raise ValueError("duplicate expert")
        if w is not None and not np.isfinite(w).all():
            raise ValueError("non-finite weight")
        if lg is not None and not np.isfinite(lg).all():
            raise ValueError("non-finite logit")
        self.events += n * L
        valid = ids >= 0
        for l in range(L):
            x = ids[:, l, :]
            v = valid[:, l, :]
            self.load[l] += np.bincount(x[v], minlength=E)
            if w is not None:
                self.wsum[l] += np.bincount(x[v], weights=w[:, l, :][v].astype(np.float64), minlength=E)
            for a in range(k):
                for b in range(a + 1, k):
                    m = v[:, a] & v[:, b]
                    c = np.bincount(x[m, a] * E + x[m, b], minlength=E * E)
                    self.co[l] += c + c.reshape(E, E).T.ravel()
            if l < L - 1:
                y = ids[:, l + 1, :]
                vy = valid[:, l + 1, :]
                for a in range(k):
                    for b in range(k):
                        m = v[:, a] & vy[:, b]
                        self.tr[l] += np.bincount(x[m, a] * E + y[m, b], minlength=E * E)


def blocks(arrays):
    T = arrays["expert_ids"].shape[0]
    for t0 in range(0, T, BLOCK):
        sl = slice(t0, min(T, t0 + BLOCK))
        yield (arrays["expert_ids"][sl], arrays["weights"][sl] if "weights" in arrays else None, arrays["logits"][sl] if "logits" in arrays else None)


def safetensors(p):
    with open(p, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    dt = {"I16": np.int16, "I32": np.int32, "I64": np.int64, "F32": np.float32, "F16": np.float16, "F64": np.float64, "U8": np.uint8}
    return {name: np.memmap(p, dtype=dt[h["dtype"]], mode="r", offset=8 + n + h["data_offsets"][0], shape=tuple(h["shape"]))
            for name, h in header.items() if name != "__metadata__"}


t0 = time.perf_counter()
agg = Agg()
if path.endswith(".npy"):
    for b in blocks({"expert_ids": np.load(path, mmap_mode="r")}):
        agg.add(*b)
elif path.endswith(".npz"):
    z = np.load(path)
    stored = all(i.compress_type == zipfile.ZIP_STORED for i in zipfile.ZipFile(path).infolist())
    # Stored members can be memory-mapped; compressed ones must be inflated whole, as numpy does.
    arrays = {k: z[k] for k in z.files}
    for b in blocks(arrays):
        agg.add(*b)
elif path.endswith(".safetensors"):
    for b in blocks(safetensors(path)):
        agg.add(*b)
elif path.endswith(".jsonl"):
    ids, ws, lgs, pending = [], [], [], 0
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            ids.append(e["experts"])
            ws.append(e.get("weights"))
            if "logits" in e:
                lgs.append(e["logits"])
            pending += 1
            if pending == BLOCK * L:
                agg.add(np.array(ids).reshape(-1, L, K), np.array(ws, np.float32).reshape(-1, L, K), np.array(lgs, np.float32).reshape(-1, L, E) if lgs else None)
                ids, ws, lgs, pending = [], [], [], 0
    if pending:
        agg.add(np.array(ids).reshape(-1, L, K), np.array(ws, np.float32).reshape(-1, L, K), np.array(lgs, np.float32).reshape(-1, L, E) if lgs else None)
else:
    raise SystemExit(f"unknown file type {path}")
seconds = time.perf_counter() - t0
print(json.dumps({
    "seconds": seconds,
    "events": agg.events,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "checksum": {"load": float(agg.load.sum()), "weightSum": round(float(agg.wsum.sum()), 3), "coactivation": float(agg.co.sum()), "transitions": float(agg.tr.sum())},
}))
