"""The client against a real server: runs, uploads (files, arrays, aggregates), errors, idempotent
retries after a dropped connection, the float64 matrix endpoint, and the upload CLI."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import json
import numpy as np
import pytest

import moe_atlas
from moe_atlas.formats import write_events, aggregate_from_events

from helpers import random_events, numpy_sums, assert_run_equals

SHAPE = {"name": "tiny-moe", "layers": 4, "experts": 8, "topK": 2}


def test_presets_and_runs(client):
    ids = {p["id"] for p in client.presets()}
    assert {"mixtral-8x7b", "deepseek-v3", "switch-base-128"} <= ids
    run = client.create_run("presets test", preset="mixtral-8x7b", tags=["py"], description="d")
    assert run.model["layers"] == 32 and run.url.endswith(f"/runs/{run.id}")
    assert client.run(run.id).id == run.id
    assert run.id in [r.id for r in client.runs()]


def test_runs_sorted_paged_and_compared(client):
    made = []
    for i, experts in enumerate(([0, 1], [0, 2], [2, 3])):
        r = client.create_run(f"pycmp {i}", model=SHAPE, tags=["pycmp"])
        # Two tokens of one sequence at positions 0 and 1: paired comparison needs positions.
        ev = {"expert_ids": np.array([[experts] * 4] * 2, dtype=np.int32), "seq_ids": np.zeros(2, np.int32),
              "positions": np.arange(2, dtype=np.int32)}
        r.upload(ev)
        made.append(r)
    names = [r.info["name"] for r in client.runs(tag="pycmp", sort="name", order="desc")]
    assert names == ["pycmp 2", "pycmp 1", "pycmp 0"]
    page = client.runs(tag="pycmp", sort="name", limit=1, offset=1)
    assert [r.info["name"] for r in page] == ["pycmp 1"]
    assert client.runs_total(tag="pycmp") == 3
    # Balance: [2,2,0,...] of 8 experts gives H / ln 8 = ln 2 / ln 8 = 1/3 at every layer.
    assert abs(page[0].info["meanBalance"] - 1 / 3) < 1e-12
    cmp = client.compare(runs=made, base=made[2], paired=True)
    assert cmp["base"] == made[2].id and [r["id"] for r in cmp["runs"]] == [r.id for r in made]
    assert cmp["jsd"][2] == [0.0] * 4 and abs(cmp["jsd"][0][0] - 1.0) < 1e-12  # disjoint loads
    assert cmp["flipRate"][0] == [1.0] * 4 and cmp["flipRate"][1] == [1.0] * 4
    with pytest.raises(moe_atlas.AtlasError) as e:
        client.compare(runs=made[:1])
    assert e.value.status == 400 and e.value.where == "query parameter runs"


def test_series_and_step(client):
    a = client.create_run("ckpt 1000", model=SHAPE, series="py-edit-series", step=1000)
    assert (a.info["series"], a.info["step"]) == ("py-edit-series", 1000)
    b = client.create_run("ckpt 2000", model=SHAPE)
    b.update(series="py-edit-series", step=2000)
    assert b.info["step"] == 2000
    assert sorted(r.info["step"] for r in client.runs(series="py-edit-series")) == [1000, 2000]
    with pytest.raises(moe_atlas.AtlasError) as e:
        b.update(step=1000)
    assert (e.value.status, e.value.code) == (409, "step_taken")
    with pytest.raises(moe_atlas.AtlasError) as e:
        b.update(colour="red")
    assert e.value.code == "invalid_request"
    b.update(series=None, step=None)
    assert b.info["series"] is None


@pytest.mark.parametrize("fmt", ["npz", "safetensors"])
def test_upload_file_equals_numpy_and_duplicate_not_counted(client, tmp_path, fmt):
    ev = random_events(600, 4, 8, 2, seed=1)
    path = write_events(tmp_path / f"ev.{fmt}", ev, fmt=fmt, chunk_id="c1")
    run = client.create_run(f"upload {fmt}", model=SHAPE)
    r = run.upload(path)
    assert not r["duplicate"] and r["tokens"] == 600 and r["hasLogits"]
    again = run.upload(path)
    assert again["duplicate"] is True
    assert_run_equals(run, numpy_sums(ev["expert_ids"], 8, ev["weights"]), 8)


def test_upload_arrays_and_aggregate_shard(client):
    ev = random_events(300, 4, 8, 2, seed=2)
    run = client.create_run("arrays", model=SHAPE)
    assert run.upload(ev)["events"] == 300 * 4
    ev2 = random_events(200, 4, 8, 2, seed=3)
    doc = aggregate_from_events(ev2["expert_ids"], 8, ev2["weights"]).to_document(shard="job1-rank0")
    assert not run.upload(doc)["duplicate"]
    assert run.upload(doc)["duplicate"]  # the same shard name again: counted once
    both = np.concatenate([ev["expert_ids"], ev2["expert_ids"]])
    ref = numpy_sums(both, 8, np.concatenate([ev["weights"], ev2["weights"]]))
    for r in ref:
        r["transitions"] = None  # the first upload's transitions only; checked elsewhere
    assert_run_equals(run, ref, 8)


def test_errors_raise_atlas_error(client, tmp_path):
    run = client.create_run("errors", model=SHAPE)
    ev = random_events(10, 4, 8, 2)
    ev["expert_ids"][3, 1, 0] = 9
    with pytest.raises(moe_atlas.AtlasError) as e:
        run.upload(ev)
    assert e.value.status == 400 and e.value.code == "expert_out_of_range" and "token 3, layer 1" in e.value.where
    with pytest.raises(moe_atlas.AtlasError) as e:
        client.run("no-such-run")
    assert e.value.status == 404 and e.value.code == "not_found"
    with pytest.raises(moe_atlas.AtlasError) as e:
        client.create_run("bad", preset="no-such-preset")
    assert e.value.status == 400
    assert run.refresh().info["events"] == 0  # refused uploads store nothing


class DroppingProxy:
    """Forwards HTTP to the server, but for the first upload it reads the server's answer and then
    drops the client's connection: the upload committed, the client never heard."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.dropped = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _read_request(self, c):
        data = b""
        while b"\r\n\r\n" not in data:
            data += c.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        n = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
        while len(body) < n:
            body += c.recv(65536)
        return head + b"\r\n\r\n" + body, head

    def _serve(self):
        while True:
            c, _ = self.sock.accept()
            req, head = self._read_request(c)
            s = socket.create_connection(("127.0.0.1", self.target))
            # One request per connection, so the server closes after answering.
            req = req.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)
            s.sendall(req)
            resp = b""
            while True:
                piece = s.recv(65536)
                if not piece:
                    break
                resp += piece
            s.close()
            if b"/traces" in head.split(b"\r\n")[0] and self.dropped == 0:
                self.dropped += 1
                c.close()
                continue
            c.sendall(resp)
            c.close()


def test_retry_after_dropped_connection_counts_once(server_url, tmp_path):
    port = int(server_url.rsplit(":", 1)[1])
    proxy = DroppingProxy(port)
    c = moe_atlas.Client(f"http://127.0.0.1:{proxy.port}", retries=2)
    run = c.create_run("retry", model=SHAPE)
    ev = random_events(100, 4, 8, 2, seed=5)
    path = write_events(tmp_path / "ev.npz", ev, chunk_id="x")
    r = run.upload(path, progress=False)
    assert proxy.dropped == 1 and r["duplicate"] is True  # the retry met the committed first attempt
    assert run.refresh().info["events"] == 100 * 4
    np.testing.assert_array_equal(run.layer(0).load, numpy_sums(ev["expert_ids"], 8)[0]["load"])


def test_cli_upload_new_run(server_url, tmp_path):
    ev = random_events(50, 32, 8, 2, seed=7)
    write_events(tmp_path / "a.npz", ev)
    write_events(tmp_path / "b.safetensors", random_events(40, 32, 8, 2, seed=8))
    (tmp_path / "config.json").write_text('{"format": "something-else", "layers": 32}')  # skipped, as the npm CLI does
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "moe_atlas", "upload", "--url", server_url, "--new", "--model", "mixtral-8x7b", "--name", "cli", "--quiet", str(tmp_path)],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "2 file(s) ingested" in out.stdout and "1 skipped" in out.stdout and "config.json: skipped" in out.stdout
    run_id = out.stdout.split("created run ", 1)[1].split()[0]
    assert moe_atlas.Client(server_url).run(run_id).info["events"] == 90 * 32
    again = subprocess.run([sys.executable, "-m", "moe_atlas", "upload", "--url", server_url, "--run", run_id, "--quiet", str(tmp_path / "a.npz")], capture_output=True, text=True, env=env)
    assert again.returncode == 0 and "already ingested" in again.stdout


def test_capture_refuses_a_run_of_another_shape(client, tmp_path):
    import families as fam

    model = fam.make("mixtral")
    run = client.create_run("wrong shape", preset="mixtral-8x7b")  # 32 layers, the model has 4
    with pytest.raises(moe_atlas.AtlasError) as e:
        moe_atlas.capture(model, run=run)
    assert e.value.code == "shape_mismatch" and "4 MoE layers" in e.value.message
    small = client.create_run("top-1", model={"name": "t1", "layers": 4, "experts": 8, "topK": 1})
    with pytest.raises(moe_atlas.AtlasError) as e:
        moe_atlas.capture(model, run=small)
    assert e.value.code == "k_too_large"


def test_capture_upload_error_is_raised_and_temp_files_removed(client):
    import glob as _glob
    import tempfile

    import families as fam

    model = fam.make("mixtral")
    run = client.create_run("too few experts", model={"name": "e4", "layers": 4, "experts": 4, "topK": 2})
    before = set(_glob.glob(os.path.join(tempfile.gettempdir(), "moe-atlas-*")))
    with pytest.raises(moe_atlas.AtlasError) as e:
        with moe_atlas.capture(model, run=run, check_model=False, chunk_tokens=4):
            model(input_ids=np_ids(3, 5))
    assert e.value.status == 400 and e.value.code == "shape_mismatch" and "logits" in e.value.message  # 8 logits per token, the run has 4 experts
    assert set(_glob.glob(os.path.join(tempfile.gettempdir(), "moe-atlas-*"))) == before
    assert run.refresh().info["events"] == 0  # the first chunk was refused, the rest not sent


def np_ids(B, S):
    import torch

    return torch.randint(0, 50, (B, S), generator=torch.Generator().manual_seed(9))


def test_aggregate_counts_tokens_as_the_server_counts_events(client):
    # A token whose slots at a layer are all -1 (a capacity drop) still counts as a token there.
    ids = np.array([[[1], [2], [-1]], [[-1], [3], [4]], [[5], [-1], [-1]]], np.int16)
    shape = {"name": "t", "layers": 3, "experts": 8, "topK": 1}
    events, agg = client.create_run("events", model=shape), client.create_run("aggregate", model=shape)
    events.upload({"expert_ids": ids}, progress=False)
    agg.upload(aggregate_from_events(ids, 8).to_document(shard="drops"))
    for l in range(3):
        a, b = events.layer(l), agg.layer(l)
        assert a.tokens == b.tokens == 3
        np.testing.assert_array_equal(a.load, b.load)
        if l < 2:
            np.testing.assert_array_equal(a.transitions, b.transitions)


def test_series_router_saturation_against_numpy(client):
    """client.series(): router saturation per layer = mean over tokens of |K_t ∩ K_F| / k, as numpy counts it."""
    early, final = random_events(200, 4, 8, 2, seed=11, dropped=0), random_events(200, 4, 8, 2, seed=12, dropped=0)
    for step, ev in ((0, early), (10, final)):
        run = client.create_run(f"series step {step}", model=SHAPE, series="py-series", step=step)
        run.upload(ev)
    answer = client.series("py-series", devices=2)
    assert [s["step"] for s in answer["steps"]] == [0, 10]
    a, f = early["expert_ids"], final["expert_ids"]
    shared = (a[:, :, :, None] == f[:, :, None, :]).any(axis=3).sum(axis=2)  # (T, L)
    expected = shared.mean(axis=0) / 2
    assert np.allclose(answer["routerSaturation"][0]["perLayer"], expected, atol=1e-12)
    assert answer["routerSaturation"][1]["perLayer"] == [1, 1, 1, 1]


def test_plan_eplb_and_optimized_with_an_engine_file(client):
    ev = random_events(400, 4, 8, 2, seed=5)
    run = client.create_run("plan", model=SHAPE)
    run.upload(ev)
    eplb = run.plan(slots=12, gpus=4, nodes=2, strategy="eplb")
    ours = run.plan(slots=12, gpus=4, nodes=2, window=200, export="sglang")
    assert len(eplb["layers"]) == 4 and len(eplb["layers"][0]["phy2log"]) == 12
    for a, b in zip(eplb["layers"], run.plan(slots=12, gpus=4, nodes=2)["layers"]):
        assert b["plannedMaxGpuLoad"] <= a["plannedMaxGpuLoad"] + 1e-9
        assert b["ctNode"] <= a["ctNode"] + 1e-9
    # The EPLB loads are the run's own: every expert's replicas add up to its load.
    layer0 = run.layer(0)
    loads = np.zeros(8)
    for p, e in enumerate(eplb["layers"][0]["phy2log"]):
        loads[e] += layer0.load[e] / eplb["layers"][0]["logcnt"][e]
    np.testing.assert_allclose(loads, layer0.load)
    assert ours["window"]["tokens"] == 200
    assert json.loads(ours["file"]["content"])["physical_to_logical_map"] == [l["phy2log"] for l in ours["layers"]]
    # TensorRT-LLM reads its load-balancer file with PyYAML: the same slots, keyed by model layer.
    import yaml  # Debian python3-yaml, as TensorRT-LLM uses
    trt = yaml.safe_load(run.plan(slots=12, gpus=4, nodes=2, export="trtllm", layer_offset=1)["file"]["content"])
    assert trt["num_slots"] == 12 and trt["layer_updates_per_iter"] == 0
    assert trt["initial_global_assignments"] == {l + 1: row["phy2log"] for l, row in enumerate(run.plan(slots=12, gpus=4, nodes=2)["layers"])}
    with pytest.raises(moe_atlas.AtlasError) as bad:
        run.plan(slots=7, gpus=4)
    assert bad.value.status == 400 and bad.value.where == "slots"
