"""One rank of the torch.distributed test (a module so torch.multiprocessing.spawn can import it)."""
import os

import torch
import torch.distributed as dist

import moe_atlas

import families as fam


def batches(n=8, B=2, S=12):
    g = torch.Generator().manual_seed(11)
    out = []
    for i in range(n):
        ids = torch.randint(0, 50, (B, S), generator=g)
        mask = torch.ones(B, S, dtype=torch.long)
        mask[1, : i % 4] = 0
        out.append((ids, mask, ["even" if i % 2 == 0 else "odd"] * B))
    return out


def capture_all(model, run, items, **kw):
    with moe_atlas.capture(model, run=run, mode="aggregate", **kw) as cap:
        for ids, mask, labels in items:
            cap.set_label(labels)
            model(input_ids=ids, attention_mask=mask)
    return cap


def worker(rank, world, port, url, run_id, out):
    os.environ.pop("TORCHELASTIC_RUN_ID", None)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        model = fam.make("deepseek_v3")
        run = moe_atlas.Client(url).run(run_id)
        mine = batches()[rank::world]  # disjoint batches per rank
        cap = capture_all(model, run, mine, out=out)
        dist.barrier()
        assert cap.document["shard"].endswith(f"-rank{rank}"), cap.document["shard"]
    finally:
        dist.destroy_process_group()
