"""capture() end to end against a real server: the server's loads, co-activation, weight sums and
transitions equal numpy's over the captured arrays; padding is left out; generate() with a KV
cache gets true positions; chunks are bounded; aggregate mode gives the same sums."""
from __future__ import annotations

import glob

import numpy as np
import torch

import moe_atlas
from moe_atlas.formats import read_events

import families as fam
from helpers import numpy_sums, assert_run_equals


def padded_batch(B=3, S=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, 50, (B, S), generator=g)
    mask = torch.ones(B, S, dtype=torch.long)
    mask[1, :3] = 0  # left padding
    mask[2, :5] = 0
    return ids, mask


def read_all(folder):
    parts = [read_events(f)[0] for f in sorted(glob.glob(f"{folder}/*.safetensors"))]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}, len(parts)


def test_capture_upload_equals_numpy_with_padding_removed(client, tmp_path):
    model = fam.make("mixtral")
    run = client.create_run("capture mixtral-like", model=moe_atlas.describe(model, name="tiny-mixtral"))
    ids, mask = padded_batch()
    with moe_atlas.capture(model, run=run, out=tmp_path, labels="code", chunk_tokens=10) as cap:
        model(input_ids=ids, attention_mask=mask)
        cap.set_label("math")
        model(input_ids=ids[:1, :4])
    ev, nfiles = read_all(tmp_path)
    real = int(mask.sum()) + 4
    assert cap.tokens == real == len(ev["expert_ids"]) and nfiles == -(-real // 10)
    assert all(len(read_events(f)[0]["expert_ids"]) <= 10 for f in cap.files)  # bounded chunks
    assert len(cap.reports) == nfiles and not any(r["duplicate"] for r in cap.reports)
    # padding left out: row 1 starts at its 4th column, with positions from 0
    np.testing.assert_array_equal(ev["token_ids"][9:15], ids[1, 3:].numpy())
    np.testing.assert_array_equal(ev["positions"][:9 + 6 + 4], np.r_[np.arange(9), np.arange(6), np.arange(4)])
    np.testing.assert_array_equal(ev["seq_ids"][-4:], [3, 3, 3, 3])
    info = run.refresh().info
    assert info["tokens"] == real and sorted(info["labels"]) == ["code", "math"]
    assert_run_equals(run, numpy_sums(ev["expert_ids"], 8, ev["weights"]), 8)


def test_generate_with_kv_cache_gets_true_positions(client, tmp_path):
    model = fam.make("qwen3_moe").double()
    ids = torch.randint(0, 50, (2, 6), generator=torch.Generator().manual_seed(3))
    mask = torch.ones(2, 6, dtype=torch.long)
    mask[1, :2] = 0  # left padding, as for batched generation
    run = client.create_run("generate", model=moe_atlas.describe(model))
    with moe_atlas.capture(model, run=run, out=tmp_path) as cap:
        seqs = model.generate(ids, attention_mask=mask, max_new_tokens=4)
    ev, _ = read_all(tmp_path)
    # prefill: 6 + 4 real tokens; then 3 decode steps of 2 rows (the 4th token is not fed back)
    assert len(ev["expert_ids"]) == 10 + 3 * 2
    np.testing.assert_array_equal(ev["positions"][:10], np.r_[np.arange(6), np.arange(4)])
    np.testing.assert_array_equal(ev["positions"][10:], [6, 4, 7, 5, 8, 6])  # not 0: the true positions
    np.testing.assert_array_equal(ev["seq_ids"][10:], [0, 1] * 3)
    np.testing.assert_array_equal(ev["token_ids"][10:], seqs[:, 6:9].T.reshape(-1).numpy())
    # A decode step routes exactly as the same token in one full forward without cache.
    full_mask = torch.cat([mask, torch.ones(2, 3, dtype=torch.long)], 1)
    model(input_ids=seqs[:, :9], attention_mask=full_mask)
    for l, layer in enumerate(model.model.layers):
        ref = layer.mlp.last_routing[0].reshape(2, 9, -1)
        np.testing.assert_array_equal(ev["expert_ids"][10:, l].reshape(3, 2, -1), ref[:, 6:9].permute(1, 0, 2).numpy())
    np.testing.assert_array_equal(run.layer(0).load, numpy_sums(ev["expert_ids"], 8)[0]["load"])


def test_aggregate_mode_equals_events(client, tmp_path):
    model = fam.make("olmoe")
    ids, mask = padded_batch(seed=4)
    shape = moe_atlas.describe(model)
    ev_run, agg_run = client.create_run("events", model=shape), client.create_run("aggregate", model=shape)
    with moe_atlas.capture(model, run=ev_run, out=tmp_path / "ev", labels=["a", "b", "a"]):
        model(input_ids=ids, attention_mask=mask)
    with moe_atlas.capture(model, run=agg_run, out=tmp_path / "agg", mode="aggregate", labels=["a", "b", "a"]) as cap:
        model(input_ids=ids, attention_mask=mask)
    assert cap.files[0].endswith(".json") and cap.document["shard"].startswith("capture-")
    ev, _ = read_all(tmp_path / "ev")
    ref = numpy_sums(ev["expert_ids"], 8, ev["weights"])
    assert_run_equals(agg_run, ref, 8)
    assert_run_equals(ev_run, ref, 8)
    # The label loads the server holds (its per-expert label mix) agree between the two modes.
    mix = [[e["labelMix"] for e in client._json("GET", f"/api/runs/{r.id}/experts", query={"layer": l})["experts"]] for r in (ev_run, agg_run) for l in range(4)]
    assert mix[:4] == mix[4:] and any(m for m in mix[0])
    a = cap.aggregator.label_load["a"]
    rows_a = np.isin(ev["seq_ids"], [0, 2])
    np.testing.assert_array_equal(a[0], np.bincount(ev["expert_ids"][rows_a, 0].reshape(-1), minlength=8))
