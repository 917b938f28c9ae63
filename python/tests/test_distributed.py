"""torch.distributed: 4 gloo processes over disjoint batches, each posting its own aggregate shard
("{job}-rank{r}", the job name broadcast from rank 0), give exactly the aggregates of one process
over all batches once the server has merged the shards."""
from __future__ import annotations

import glob
import json
import socket

import numpy as np
import torch.multiprocessing as mp

import moe_atlas

import families as fam
from dist_worker import batches, capture_all, worker


def test_four_gloo_ranks_equal_one_process(client, server_url, tmp_path):
    model = fam.make("deepseek_v3")
    shape = moe_atlas.describe(model)
    one = client.create_run("one process", model=shape)
    four = client.create_run("four ranks", model=shape)
    capture_all(model, one, batches())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(worker, args=(4, port, server_url, four.id, str(tmp_path)), nprocs=4, join=True)
    docs = [json.load(open(f)) for f in sorted(glob.glob(str(tmp_path / "aggregate-*.json")))]
    shards = sorted(d["shard"] for d in docs)
    assert len(shards) == 4 and len({s.rsplit("-rank", 1)[0] for s in shards}) == 1, shards
    assert [s.rsplit("-rank", 1)[1] for s in shards] == ["0", "1", "2", "3"]
    assert sum(d["layers"][0]["tokens"] for d in docs) == one.refresh().info["tokens"]
    for l in range(shape["layers"]):
        a, b = one.layer(l), four.layer(l)
        assert a.tokens == b.tokens
        np.testing.assert_array_equal(a.load, b.load)
        np.testing.assert_array_equal(a.coactivation, b.coactivation)
        np.testing.assert_allclose(a.weight_sum, b.weight_sum, rtol=1e-9)
        if l + 1 < shape["layers"]:
            np.testing.assert_array_equal(a.transitions, b.transitions)
    info = four.refresh().info
    assert sorted(info["labels"]) == ["even", "odd"]
    # A rank that re-posts its shard (a retried job step) is not counted twice.
    assert four.upload(docs[0])["duplicate"] is True
    np.testing.assert_array_equal(four.layer(0).load, one.layer(0).load)
