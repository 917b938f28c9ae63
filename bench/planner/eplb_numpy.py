"""numpy transcription of DeepSeek's published EPLB (rebalance_experts), for bench/planner.

Written from the published algorithm, independently of lib/analysis/eplb.ts, to check it exactly:
float32 weights throughout (the reference calls weight.float()), packing in descending weight order
with equal weights by ascending index (a stable sort), each item to the lightest pack with room (the
first one among equals), each redundant slot to the expert with the largest load per replica (the
first one among equals, as argmax). All layers are processed at once where numpy allows it.

    python3 eplb_numpy.py cases.json answers.json

cases.json: [{"name", "weight": [[...E] per layer], "slots", "groups", "nodes", "gpus"}]
answers.json: [{"name", "phy2log", "log2phy", "logcnt", "seconds"}]
"""
import json
import sys
import time

import numpy as np


def pack(weight, packs):
    """weight [L, n] float32 -> (pack index, rank in pack), both [L, n]."""
    layers, n = weight.shape
    per = n // packs
    if per == 1:
        return np.tile(np.arange(n), (layers, 1)), np.zeros((layers, n), dtype=np.int64)
    order = np.argsort(-weight, axis=1, kind="stable")
    where = np.empty((layers, n), dtype=np.int64)
    rank = np.empty((layers, n), dtype=np.int64)
    for l in range(layers):
        load = np.zeros(packs, dtype=np.float32)
        count = np.zeros(packs, dtype=np.int64)
        for item in order[l]:
            open_packs = np.flatnonzero(count < per)
            target = open_packs[np.argmin(load[open_packs])]
            where[l, item] = target
            rank[l, item] = count[target]
            load[target] = np.float32(load[target] + weight[l, item])
            count[target] += 1
    return where, rank


def replicate(weight, slots):
    """weight [L, n] float32 -> phy2log [L, slots], replica rank [L, slots], counts [L, n]."""
    layers, n = weight.shape
    phy2log = np.tile(np.arange(slots), (layers, 1))
    rank = np.zeros((layers, slots), dtype=np.int64)
    count = np.ones((layers, n), dtype=np.int64)
    rows = np.arange(layers)
    for i in range(n, slots):
        per_replica = (weight / count.astype(np.float32)).astype(np.float32)
        pick = np.argmax(per_replica, axis=1)
        phy2log[:, i] = pick
        rank[:, i] = count[rows, pick]
        count[rows, pick] += 1
    return phy2log, rank, count


def invert(perm):
    inv = np.empty_like(perm)
    rows = np.arange(perm.shape[0])[:, None]
    inv[rows, perm] = np.arange(perm.shape[1])[None, :]
    return inv


def hierarchical(weight, slots, groups, nodes, gpus):
    layers, experts = weight.shape
    group_size = experts // groups
    per_node_groups = groups // nodes
    per_gpu = slots // gpus
    node_experts = experts // nodes
    node_slots = slots // nodes
    # Groups onto nodes; group sums left to right in float32.
    group_load = np.zeros((layers, groups), dtype=np.float32)
    grouped = weight.reshape(layers, groups, group_size)
    for j in range(group_size):
        group_load = (group_load + grouped[:, :, j]).astype(np.float32)
    gpack, grank = pack(group_load, nodes)
    first = (gpack * per_node_groups + grank) * group_size  # [L, groups]
    log2mid = (first[:, :, None] + np.arange(group_size)[None, None, :]).reshape(layers, experts)
    mid2log = invert(log2mid)
    # Replicas within nodes: rows are (layer, node).
    mid_load = np.take_along_axis(weight, mid2log, axis=1).reshape(layers * nodes, node_experts)
    p2m, prank, mcount = replicate(mid_load, node_slots)
    # Slots onto the node's GPUs.
    slot_load = np.take_along_axis((mid_load / mcount.astype(np.float32)).astype(np.float32), p2m, axis=1)
    spack, srank = pack(slot_load, gpus // nodes)
    new_pos = spack * per_gpu + srank
    old_at = invert(new_pos)
    placed_mid = np.take_along_axis(p2m, old_at, axis=1).reshape(layers, nodes, node_slots)
    placed_mid = (placed_mid + (np.arange(nodes) * node_experts)[None, :, None]).reshape(layers, slots)
    phy2log = np.take_along_axis(mid2log, placed_mid, axis=1)
    rank = np.take_along_axis(prank, old_at, axis=1).reshape(layers, slots)
    logcnt = np.take_along_axis(mcount.reshape(layers, experts), log2mid, axis=1)
    return phy2log, rank, logcnt


def rebalance(weight, slots, groups, nodes, gpus):
    weight = np.asarray(weight, dtype=np.float32)
    if groups % nodes == 0:
        phy2log, rank, logcnt = hierarchical(weight, slots, groups, nodes, gpus)
    else:
        phy2log, rank, logcnt = hierarchical(weight, slots, 1, 1, gpus)
    layers, experts = weight.shape
    width = int(logcnt.max())
    log2phy = np.full((layers, experts * width), -1, dtype=np.int64)
    rows = np.arange(layers)[:, None]
    log2phy[rows, phy2log * width + rank] = np.arange(slots)[None, :]
    return phy2log, log2phy.reshape(layers, experts, width), logcnt


if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    answers = []
    for case in cases:
        t0 = time.perf_counter()
        phy2log, log2phy, logcnt = rebalance(case["weight"], case["slots"], case["groups"], case["nodes"], case["gpus"])
        seconds = time.perf_counter() - t0
        answers.append(
            {
                "name": case["name"],
                "phy2log": phy2log.tolist(),
                "log2phy": log2phy.tolist(),
                "logcnt": logcnt.tolist(),
                "seconds": seconds,
            }
        )
    json.dump(answers, open(sys.argv[2], "w"))
