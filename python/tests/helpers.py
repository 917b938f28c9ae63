"""Shared test helpers: random routing events and numpy's reference sums."""
from __future__ import annotations

import numpy as np


def random_events(T: int, L: int, E: int, k: int, seed: int = 0, dropped: float = 0.02):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(T, L, E)).astype(np.float32)
    ids = np.argsort(-logits, axis=2)[:, :, :k].astype(np.int16)
    p = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    w = np.take_along_axis(p, ids.astype(np.int64), axis=2).astype(np.float32)
    # Some slots empty (-1) as capacity drops leave them; keep slot 0 so each token counts.
    drop = rng.random((T, L, k)) < dropped
    drop[:, :, 0] = False
    ids[drop] = -1
    w[drop] = 0.0
    return {"expert_ids": ids, "weights": w, "logits": logits, "seq_ids": (np.arange(T) // 50).astype(np.int32), "positions": (np.arange(T) % 50).astype(np.int32)}


def numpy_sums(ids: np.ndarray, E: int, weights=None):
    """Per layer load, weightSum, coactivation and transitions, counted plainly in numpy."""
    T, L, k = ids.shape
    hot = np.zeros((T, L, E), np.int64)
    for a in range(k):
        t, l = np.nonzero(ids[:, :, a] >= 0)
        hot[t, l, ids[t, l, a]] = 1
    out = []
    for l in range(L):
        c = hot[:, l].T @ hot[:, l]
        np.fill_diagonal(c, 0)
        ws = None
        if weights is not None:
            ws = np.zeros(E)
            for a in range(k):
                m = ids[:, l, a] >= 0
                np.add.at(ws, ids[m, l, a].astype(np.int64), weights[m, l, a].astype(np.float64))
        # tokens: every token event at the layer, as the server defines a layer's tokens
        out.append({"tokens": T, "load": hot[:, l].sum(axis=0), "coactivation": c, "weightSum": ws,
                    "transitions": hot[:, l].T @ hot[:, l + 1] if l + 1 < L else None})
    return out


def assert_run_equals(run, ref, E: int, weights: bool = True):
    for l, r in enumerate(ref):
        got = run.layer(l)
        assert got.tokens == r["tokens"], f"layer {l} tokens"
        np.testing.assert_array_equal(got.load, r["load"], err_msg=f"layer {l} load")
        np.testing.assert_array_equal(got.coactivation, r["coactivation"], err_msg=f"layer {l} coactivation")
        if weights and r["weightSum"] is not None:
            np.testing.assert_allclose(got.weight_sum, r["weightSum"], rtol=1e-5, err_msg=f"layer {l} weightSum")
        if r["transitions"] is not None:
            assert got.transitions is not None, f"layer {l} has no transitions"
            np.testing.assert_array_equal(got.transitions, r["transitions"], err_msg=f"layer {l} transitions")
