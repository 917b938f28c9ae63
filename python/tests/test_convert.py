"""Converters: each engine's dump built in exactly the layout its source writes (cited in
moe_atlas/convert.py), converted, uploaded, and the run's counts compared with numpy's over the
routing the dump was built from."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import moe_atlas
from moe_atlas import convert as C
from moe_atlas.formats import read_events, write_safetensors

from helpers import numpy_sums, assert_run_equals

E, K, MODEL_LAYERS = 8, 2, 5  # model layer 0 is dense, MoE layers are model layers 1..4
SHAPE = {"name": "conv-moe", "layers": 4, "experts": E, "topK": K}


def routing(T, seed, experts=E, L=4):
    rng = np.random.default_rng(seed)
    return np.argsort(rng.random((T, L, experts)), axis=2)[:, :, :K]


def physical_count(phys_ids, P):
    """[T, L, k] -> [MODEL_LAYERS, P] with the dense layer 0 all zero (as SGLang's gatherer)."""
    out = np.zeros((MODEL_LAYERS, P), np.int32)
    for l in range(phys_ids.shape[1]):
        out[l + 1] = np.bincount(phys_ids[:, l].reshape(-1), minlength=P)
    return out


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "moe_atlas", *args], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_sglang_stat(client, tmp_path):
    passes = [routing(30, s) for s in range(4)]
    buf = np.zeros((6, MODEL_LAYERS, E), np.int32)  # circular buffer of 6, 4 rows filled
    for i, p in enumerate(passes):
        buf[i] = physical_count(p, E)
    path = tmp_path / "expert_distribution_recorder_1700000000.0.pt"
    torch.save(dict(rank=0, logical_count=torch.from_numpy(buf), average_utilization_rate_over_window=None), path)
    out = run_cli("convert", "sglang", str(path), "-o", str(tmp_path / "stat.json"))
    assert out.strip().endswith("stat.json")
    run = client.create_run("sglang stat", model=SHAPE)
    run.upload(str(tmp_path / "stat.json"))
    ref = numpy_sums(np.concatenate(passes), E)
    for l in range(4):
        np.testing.assert_array_equal(run.layer(l).load, ref[l]["load"])
        assert run.layer(l).tokens == 120  # Σ load / k


def test_sglang_per_pass_replicas(client, tmp_path):
    P = 10
    p2l = np.tile(np.r_[np.arange(E), [0, 5]], (MODEL_LAYERS, 1))  # slots 8, 9 replicate experts 0 and 5
    rng = np.random.default_rng(3)
    logical = [routing(40, 10 + i) for i in range(3)]
    recs, ref_load = [], np.zeros((4, E), np.int64)
    for i, lg in enumerate(logical):
        phys = lg.copy()
        swap = rng.random(phys.shape) < 0.5
        phys[(phys == 0) & swap] = 8
        phys[(phys == 5) & swap] = 9
        recs.append(dict(forward_pass_id=i, rank=0, gatherer_key="primary", global_physical_count=torch.from_numpy(physical_count(phys, P))))
        for l in range(4):
            ref_load[l] += np.bincount(lg[:, l].reshape(-1), minlength=E)
    path = tmp_path / "expert_distribution_recorder_1700000000.0_0.pt"
    torch.save(dict(records=recs, last_physical_to_logical_map=torch.from_numpy(p2l)), path)
    what, doc, info = C.sglang(str(path))
    assert what == "aggregate" and info["kind"] == "per_pass" and info["modelLayers"] == [1, 2, 3, 4]
    run = client.create_run("sglang per_pass", model=SHAPE)
    run.upload(doc)
    for l in range(4):
        np.testing.assert_array_equal(run.layer(l).load, ref_load[l])


def test_sglang_per_token_events(client, tmp_path):
    P = 10
    p2l = np.tile(np.r_[np.arange(E), [3, 6]], (MODEL_LAYERS, 1))
    lens = [5, 7]
    prefill = routing(12, 20)
    decode = routing(2, 21)
    logical = np.concatenate([prefill, decode])
    recs = []
    for i, (lg, extend, positions) in enumerate([(prefill, lens, list(range(5)) + list(range(7))), (decode, None, [5, 7])]):
        phys = lg.copy()
        phys[phys == 3] = 8  # replica slots in use
        T = len(lg)
        topk = torch.full((MODEL_LAYERS, T, 8), -1, dtype=torch.int32)  # SGLang: [layers, tokens, 8], reset to -1
        topk[1:, :, :K] = torch.from_numpy(np.transpose(phys, (1, 0, 2)).astype(np.int32))
        recs.append(dict(forward_pass_id=i, rank=0, gatherer_key="primary", input_ids=list(range(100 + 20 * i, 100 + 20 * i + T)), positions=positions,
                         extend_seq_lens=extend, forward_mode=1 if extend else 2, topk_ids_of_layer=topk, misc_objects=[], global_physical_count=torch.zeros(MODEL_LAYERS, P, dtype=torch.int32)))
    path = tmp_path / "expert_distribution_recorder_1700000000.0_0.pt"
    torch.save(dict(records=recs, last_physical_to_logical_map=torch.from_numpy(p2l)), path)
    run_cli("convert", "sglang", str(path), "-o", str(tmp_path / "tok.npz"))
    ev, _ = read_events(tmp_path / "tok.npz")
    assert ev["expert_ids"].shape == (14, 4, K)
    np.testing.assert_array_equal(ev["expert_ids"], logical)  # replicas mapped back, slots trimmed to top-2
    np.testing.assert_array_equal(ev["positions"], [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 5, 7])
    np.testing.assert_array_equal(ev["seq_ids"][:12], [0] * 5 + [1] * 7)
    run = client.create_run("sglang per_token", model=SHAPE)
    run.upload(str(tmp_path / "tok.npz"))
    assert_run_equals(run, numpy_sums(logical, E), E, weights=False)


def test_sglang_kind_and_bad_input(tmp_path):
    p = tmp_path / "x.pt"
    torch.save({"something": 1}, p)
    with pytest.raises(moe_atlas.AtlasError) as e:
        C.sglang(str(p))
    assert e.value.code == "invalid_dump"


def test_sglang_csv_two_ranks(client, tmp_path):
    ranks = [routing(25, 30), routing(35, 31)]
    files = []
    for r, lg in enumerate(ranks):
        f = tmp_path / f"expert_distribution_rank{r}_timestamp1700000000.5.csv"
        with open(f, "w") as fd:  # as SGLang's dump_record writes it (model layer ids; dense layer 0 absent)
            fd.write("layer_id,expert_id,count\n")
            for l in range(4):
                for e, c in enumerate(np.bincount(lg[:, l].reshape(-1), minlength=E)):
                    if c:
                        fd.write(f"{l + 1},{e},{c}\n")
        files.append(str(f))
    paths = C.convert("sglang-csv", files, str(tmp_path / "csv"))
    run = client.create_run("sglang csv", model=SHAPE)
    for p in paths:
        run.upload(p)
    ref = numpy_sums(np.concatenate(ranks), E)
    for l in range(4):
        np.testing.assert_array_equal(run.layer(l).load, ref[l]["load"])


def test_trtllm_ranks_and_iteration_range(client, tmp_path):
    folder = tmp_path / "expert_statistic"
    folder.mkdir()
    (folder / "meta_info.json").write_text(json.dumps({"num_experts": E, "num_experts_per_token": K}))
    kept = []
    for r in range(2):
        counts, cooc, ntok = {}, {}, {}
        for it in range(100, 105):
            lg = routing(16, 100 * r + it)
            if 101 <= it <= 103:
                kept.append(lg)
            for l in range(4):
                key = f"{it}_{l + 3}"  # model layers 3..6 (DeepSeek's first dense layers have no key)
                counts[key] = np.bincount(lg[:, l].reshape(-1), minlength=E).astype(np.int64)  # torch.bincount -> int64
                m = np.zeros((len(lg), E), np.int32)
                np.put_along_axis(m, lg[:, l], 1, axis=1)
                cooc[key] = (m.T @ m).astype(np.int32)
                ntok[key] = len(lg)
        write_safetensors(folder / f"rank{r}.safetensors", counts)
        write_safetensors(folder / f"cooccurrence_rank{r}.safetensors", cooc)
        (folder / f"rank{r}_numtokens.json").write_text(json.dumps(ntok))
    out = run_cli("convert", "trtllm", str(folder), "-o", str(tmp_path / "trt.json"), "--iter-start", "101", "--iter-end", "103")
    doc = json.load(open(out.strip()))
    assert [d["tokens"] for d in doc["layers"]] == [96] * 4
    run = client.create_run("trtllm", model=SHAPE)
    run.upload(doc)
    ref = numpy_sums(np.concatenate(kept), E)
    for l in range(4):
        got = run.layer(l)
        assert got.tokens == ref[l]["tokens"]
        np.testing.assert_array_equal(got.load, ref[l]["load"])
        np.testing.assert_array_equal(got.coactivation, ref[l]["coactivation"])


def test_vllm_lists_and_base64(client, tmp_path):
    a, b = routing(6, 40), routing(9, 41)
    with_dense = lambda x: np.concatenate([np.full((len(x), 1, K), -1), x], axis=1)  # -1 where a layer is not MoE
    req1 = {"request_id": "r1", "prompt_token_ids": list(range(4)), "outputs": [{"token_ids": [7, 8], "routed_experts": with_dense(a).tolist()}]}
    raw = with_dense(b).astype("<i4")
    req2 = {"id": "cmpl-2", "choices": [{"routed_experts": base64.b64encode(raw.tobytes()).decode(), "routed_experts_shape": list(raw.shape)}]}
    f = tmp_path / "requests.jsonl"
    f.write_text(json.dumps(req1) + "\n" + json.dumps(req2) + "\n")
    out = run_cli("convert", "vllm", str(f), "-o", str(tmp_path / "vllm.npz"))
    ev, _ = read_events(out.strip())
    np.testing.assert_array_equal(ev["expert_ids"], np.concatenate([a, b]))
    np.testing.assert_array_equal(ev["token_ids"][:6], [0, 1, 2, 3, 7, 8])
    np.testing.assert_array_equal(ev["seq_ids"], [0] * 6 + [1] * 9)
    run = client.create_run("vllm", model=SHAPE)
    run.upload(out.strip())
    assert_run_equals(run, numpy_sums(np.concatenate([a, b]), E), E, weights=False)


def test_vllm_request_output_objects(client):
    from types import SimpleNamespace as NS

    a, b = routing(5, 50), routing(4, 51)
    # vllm/outputs.py: RequestOutput(prompt_token_ids, outputs=[CompletionOutput(token_ids, routed_experts=np.ndarray [seq_len, layer_num, topk])])
    reqs = [NS(request_id="0", prompt_token_ids=[1, 2, 3], outputs=[NS(index=0, token_ids=[4, 5], routed_experts=a.astype(np.int32))]),
            NS(request_id="1", prompt_token_ids=[6, 7], outputs=[NS(index=0, token_ids=[8, 9], routed_experts=b.astype(np.int16))])]
    ev = C.vllm_events(reqs)
    np.testing.assert_array_equal(ev["token_ids"], [1, 2, 3, 4, 5, 6, 7, 8, 9])
    run = client.create_run("vllm objects", model=SHAPE)
    run.upload(ev)
    assert_run_equals(run, numpy_sums(np.concatenate([a, b]), E), E, weights=False)


class _Evil:
    """A pickle that runs a command when fully unpickled: it must never run."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_sglang_stat_with_float_metric_and_no_code_runs(client, tmp_path):
    # With metrics on, SGLang's stat dump holds a float, which torch 1.13's weights-only reader
    # cannot read; the converter's fallback has the same allowlist, floats included.
    buf = np.zeros((2, MODEL_LAYERS, E), np.int32)
    lg = routing(10, 60)
    buf[0] = physical_count(lg, E)
    path = tmp_path / "expert_distribution_recorder_1.pt"
    torch.save(dict(rank=0, logical_count=torch.from_numpy(buf), average_utilization_rate_over_window=0.875), path)
    what, doc, info = C.sglang(str(path))
    assert info["modelLayers"] == [1, 2, 3, 4]
    run = client.create_run("stat float", model=SHAPE)
    run.upload(doc)
    np.testing.assert_array_equal(run.layer(2).load, numpy_sums(lg, E)[2]["load"])
    marker = tmp_path / "code-ran"
    for i, evil in enumerate([{"logical_count": _Evil(marker)}, {"a": 1.5, "logical_count": _Evil(marker)}]):  # the float first: the fallback sees the global
        p = tmp_path / f"evil{i}.pt"
        torch.save(evil, p)
        with pytest.raises(moe_atlas.AtlasError) as e:
            C.sglang(str(p))
        assert e.value.code == "invalid_dump" and "system" in e.value.message
        assert not marker.exists()
