"""Engine dumps to the server's formats (PRODUCT.md §3), physical-to-logical replica maps applied,
-1 kept as "no expert". Layouts followed (the tests build each one exactly so):

- SGLang expert-distribution recorder, python/sglang/srt/eplb/expert_distribution.py (sglang
  main, 2025): files written with torch.save and read here with torch.load(weights_only=True),
  never a full unpickle. Three modes, told apart by content:
  * stat: {"rank", "logical_count": int32 [buffer, layers, experts] (a circular buffer, unfilled
    rows zero; all-reduced over ranks, written by rank 0), "average_utilization_rate_over_window"}
    -> an aggregate of loads.
  * per_pass: {"records": [{"forward_pass_id", "rank", "gatherer_key", "global_physical_count":
    [layers, physical]}], "last_physical_to_logical_map": [layers, physical]} per rank
    -> an aggregate, physical slots summed into their logical expert.
  * per_token: records also hold "topk_ids_of_layer" int32 [layers, tokens, 8] (unused slots -1),
    "input_ids", "positions", "extend_seq_lens", "forward_mode" -> events (.npz).
  SGLang's "layers" are all the model's layers; layers where nothing was ever selected (dense
  layers, e.g. DeepSeek-V3's first three) are left out, and the kept model layers are reported.
- SGLang's older per-rank CSV, python/sglang/srt/managers/expert_distribution.py (2025-03):
  "layer_id,expert_id,count" -> an aggregate of loads per file.
- TensorRT-LLM expert statistics, tensorrt_llm/tools/layer_wise_benchmarks / ExpertStatistic
  (EXPERT_STATISTIC_PATH, EXPERT_STATISTIC_ITER_RANGE): meta_info.json {"num_experts",
  "num_experts_per_token"} and rank{r}.safetensors with int64 counts [E] under "{iter}_{layer}";
  optional cooccurrence_rank{r}.safetensors [E, E] (diagonal = the load) and
  rank{r}_numtokens.json. Summed over ranks, within an iteration range -> an aggregate.
- vLLM returned routed experts per request: vllm/outputs.py (commit 003d3ee2) gives
  CompletionOutput.routed_experts, an np.ndarray [seq_len, layer_num, topk], next to
  RequestOutput.prompt_token_ids and CompletionOutput.token_ids; the OpenAI server puts
  "routed_experts" in choices[i]. Read here from RequestOutput objects (vllm_events) or from
  JSON / JSONL files: nested lists, or base64 of little-endian int32 with "routed_experts_shape"
  (or layers= / top_k=), on the object, in "outputs"[i] or in "choices"[i]; -1 where a layer is
  not MoE -> events (.npz).
"""
from __future__ import annotations

import base64
import csv
import glob
import json
import os
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .errors import AtlasError
from .formats import AGGREGATE_FORMAT, Aggregator, read_safetensors, write_aggregate, write_events


def _bad(message: str, where: str) -> AtlasError:
    return AtlasError(0, "invalid_dump", message, where)


def _np(x, where: str) -> np.ndarray:
    try:
        import torch

        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
    except ImportError:
        pass
    if isinstance(x, (list, tuple, np.ndarray)):
        return np.asarray(x)
    raise _bad(f"expected a tensor or list, got {type(x).__name__}", where)


class _RestrictedPickle:
    """A pickle module for torch.load whose Unpickler builds only tensors and plain containers:
    the allowlist of torch's weights-only reader. torch < 2.0's weights-only reader has no float
    opcode, and SGLang's stat dump holds a float when metrics are on; this reads it, and still
    refuses any other global (no code runs)."""

    import pickle as _pickle

    _ALLOWED = {
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch.nn.parameter", "Parameter"),
        ("torch", "Size"),
        ("torch", "device"),
    }

    class Unpickler(_pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) in _RestrictedPickle._ALLOWED:
                return super().find_class(module, name)
            raise _RestrictedPickle._pickle.UnpicklingError(f"{module}.{name} is not allowed (only tensors, numbers, strings, lists and dicts)")

    load = _pickle.load
    __name__ = "moe_atlas_restricted_pickle"


def _load_pt(path: str):
    import torch  # only the SGLang converter needs torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a full unpickle is never tried
        if "Unsupported operand" in str(e):  # torch < 2.0: e.g. no floats; the same allowlist, with floats
            # Not torch.load(pickle_module=...): torch 1.13's load replaces any pickle_module with
            # the standard pickle unless weights_only (a full unpickle). Its zip reader is called
            # with the restricted Unpickler instead.
            try:
                from torch import serialization as ser

                with open(path, "rb") as f, ser._open_zipfile_reader(f) as zf:
                    return ser._load(zf, "cpu", _RestrictedPickle, encoding="utf-8")
            except Exception as e2:
                raise _bad(f"cannot read as a weights-only torch.save file: {str(e2)[-200:]}", path) from e2
        raise _bad(f"cannot read as a weights-only torch.save file: {str(e)[-200:]}", path) from e


def _to_logical(ids: np.ndarray, p2l: Optional[np.ndarray]) -> np.ndarray:
    """ids [T, L, k] physical slots -> logical experts with the per-layer map [L, P]; -1 stays."""
    if p2l is None:
        return ids
    out = np.full(ids.shape, -1, np.int64)
    for l in range(ids.shape[1]):
        v = ids[:, l] >= 0
        if np.any(ids[:, l][v] >= p2l.shape[1]):
            raise _bad(f"layer {l}: physical expert {int(ids[:, l].max())} outside the map's {p2l.shape[1]} slots", "last_physical_to_logical_map")
        out[:, l][v] = p2l[l][ids[:, l][v]]
    return out


def _counts_to_logical(counts: np.ndarray, p2l: Optional[np.ndarray], experts: Optional[int] = None) -> np.ndarray:
    """counts [L, P] per physical slot -> [L, E] per logical expert (replicas summed)."""
    if p2l is None:
        return counts.astype(np.int64)
    E = experts or int(p2l.max()) + 1
    out = np.zeros((counts.shape[0], E), np.int64)
    for l in range(counts.shape[0]):
        np.add.at(out[l], p2l[l].astype(np.int64), counts[l].astype(np.int64))
    return out


def _load_document(load: np.ndarray, shard: str, tokens: Optional[np.ndarray] = None, coactivation: Optional[np.ndarray] = None) -> dict:
    for name, a in (("load", load), ("coactivation", coactivation)):
        if a is not None and np.any(a < 0):
            raise _bad(f"negative {name} count", name)
    layers = []
    for l in range(load.shape[0]):
        d = {"layer": l, "load": [int(x) for x in load[l]]}
        if tokens is not None:
            d["tokens"] = int(tokens[l])
        if coactivation is not None:
            c = coactivation[l].astype(np.int64).copy()
            np.fill_diagonal(c, 0)
            d["coactivation"] = c.tolist()
        layers.append(d)
    return {"format": AGGREGATE_FORMAT, "shard": shard, "layers": layers}


def _moe_layers(mask: np.ndarray) -> List[int]:
    """Model layers that ever selected an expert (others are dense or not MoE)."""
    return [int(i) for i in np.nonzero(mask)[0]]


# -- SGLang ------------------------------------------------------------------------------------
def sglang_kind(obj) -> str:
    if isinstance(obj, dict) and "logical_count" in obj:
        return "stat"
    if isinstance(obj, dict) and isinstance(obj.get("records"), list):
        recs = obj["records"]
        if recs and all(isinstance(r, dict) and "topk_ids_of_layer" in r for r in recs):
            return "per_token"
        if all(isinstance(r, dict) and "global_physical_count" in r for r in recs):
            return "per_pass"
    raise _bad("not an SGLang expert-distribution dump (no logical_count, and no records with global_physical_count or topk_ids_of_layer)", "top level")


def sglang(path: str, layers: Optional[Sequence[int]] = None) -> Tuple[str, object, dict]:
    """One SGLang dump -> ("aggregate", document, info) or ("events", arrays, info)."""
    obj = _load_pt(path)
    kind = sglang_kind(obj)
    shard = f"sglang-{kind}-{os.path.basename(path)}"
    if kind == "stat":
        c = _np(obj["logical_count"], "logical_count")
        if c.ndim != 3:
            raise _bad(f"logical_count has shape {list(c.shape)}; expected [buffer, layers, experts]", "logical_count")
        load = c.astype(np.int64).sum(axis=0)  # unfilled circular-buffer rows are zero
        keep = list(layers) if layers is not None else _moe_layers(load.sum(axis=1) > 0)
        return "aggregate", _load_document(load[keep], shard), {"kind": kind, "modelLayers": keep}
    p2l = obj.get("last_physical_to_logical_map")
    p2l = _np(p2l, "last_physical_to_logical_map").astype(np.int64) if p2l is not None else None
    recs = obj["records"]
    if kind == "per_pass":
        if not recs:
            raise _bad("no records", "records")
        phys = sum(_np(r["global_physical_count"], f"records[{i}].global_physical_count").astype(np.int64) for i, r in enumerate(recs))
        load = _counts_to_logical(phys, p2l)
        keep = list(layers) if layers is not None else _moe_layers(load.sum(axis=1) > 0)
        return "aggregate", _load_document(load[keep], shard), {"kind": kind, "modelLayers": keep, "records": len(recs)}
    # per_token: events
    ids_parts, pos, tok, seq = [], [], [], []
    next_seq = 0
    for i, r in enumerate(recs):
        t = _np(r["topk_ids_of_layer"], f"records[{i}].topk_ids_of_layer")
        if t.ndim != 3:
            raise _bad(f"topk_ids_of_layer has shape {list(t.shape)}; expected [layers, tokens, slots]", f"records[{i}]")
        T = t.shape[1]
        ids_parts.append(np.transpose(t, (1, 0, 2)).astype(np.int64))
        p = np.asarray(r.get("positions") if r.get("positions") is not None else np.arange(T), np.int64)
        x = np.asarray(r.get("input_ids") if r.get("input_ids") is not None else np.full(T, -1), np.int64)
        if len(p) != T or len(x) != T:
            raise _bad(f"{len(x)} input_ids and {len(p)} positions for {T} tokens", f"records[{i}]")
        lens = r.get("extend_seq_lens")
        if lens is not None and sum(int(n) for n in lens) == T:  # an extend (prefill) pass: one sequence per request
            s = np.repeat(np.arange(len(lens)) + next_seq, [int(n) for n in lens])
            next_seq += len(lens)
        else:  # a decode pass: one token per request, not linkable to its prefill without request ids
            s = np.arange(T) + next_seq
            next_seq += T
        pos.append(p)
        tok.append(x)
        seq.append(s)
    ids = _to_logical(np.concatenate(ids_parts), p2l)
    keep = list(layers) if layers is not None else _moe_layers((ids >= 0).any(axis=(0, 2)))
    ids = ids[:, keep]
    k = int((ids >= 0).sum(axis=2).max()) if ids.size else 1
    ids = ids[:, :, :k]  # SGLang pads to 8 slots; trailing unused slots are dropped
    arrays = {"expert_ids": ids.astype(np.int32), "seq_ids": np.concatenate(seq).astype(np.int32), "positions": np.concatenate(pos).astype(np.int32), "token_ids": np.concatenate(tok).astype(np.int32)}
    return "events", arrays, {"kind": kind, "modelLayers": keep, "records": len(recs)}


def sglang_csv(path: str, layers: Optional[Sequence[int]] = None) -> Tuple[str, dict, dict]:
    """SGLang's older per-rank CSV "layer_id,expert_id,count" -> an aggregate of loads."""
    rows: Dict[Tuple[int, int], int] = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r, None)
        if head is None or [h.strip() for h in head] != ["layer_id", "expert_id", "count"]:
            raise _bad(f"the header is {head}, not layer_id,expert_id,count", f"{path} line 1")
        for n, row in enumerate(r, start=2):
            if not row:
                continue
            try:
                l, e, c = (int(x) for x in row)
            except ValueError:
                raise _bad(f"not three integers: {row}", f"{path} line {n}")
            if c < 0 or e < 0:
                raise _bad("negative expert id or count", f"{path} line {n}")
            rows[(l, e)] = rows.get((l, e), 0) + c
    if not rows:
        raise _bad("no rows", path)
    model_layers = sorted(layers) if layers is not None else sorted({l for l, _ in rows})
    E = max(e for _, e in rows) + 1
    load = np.zeros((len(model_layers), E), np.int64)
    index = {l: i for i, l in enumerate(model_layers)}
    for (l, e), c in rows.items():
        if l in index:
            load[index[l], e] += c
    return "aggregate", _load_document(load, f"sglang-csv-{os.path.basename(path)}"), {"kind": "csv", "modelLayers": model_layers, "experts": E}


# -- TensorRT-LLM ----------------------------------------------------------------------------------
def trtllm(folder: str, start: Optional[int] = None, end: Optional[int] = None) -> Tuple[str, dict, dict]:
    meta_path = os.path.join(folder, "meta_info.json")
    if not os.path.isfile(meta_path):
        raise _bad("no meta_info.json (TensorRT-LLM writes it from rank 0)", folder)
    meta = json.load(open(meta_path))
    E = int(meta["num_experts"])
    files = sorted(glob.glob(os.path.join(folder, "rank*.safetensors")), key=lambda p: int(re.search(r"rank(\d+)", p).group(1)))
    files = [f for f in files if re.fullmatch(r"rank\d+\.safetensors", os.path.basename(f))]
    if not files:
        raise _bad("no rank{r}.safetensors files", folder)
    key_re = re.compile(r"^(\d+)_(\d+)$")
    load: Dict[int, np.ndarray] = {}
    cooc: Dict[int, np.ndarray] = {}
    tokens: Dict[int, int] = {}
    iters = set()

    def wanted(key):
        m = key_re.match(key)
        if not m:
            raise _bad(f'key "{key}" is not "{{iter}}_{{layer}}"', key)
        it, layer = int(m.group(1)), int(m.group(2))
        return (it, layer) if (start is None or it >= start) and (end is None or it <= end) else None

    for f in files:
        rank = re.search(r"rank(\d+)", os.path.basename(f)).group(1)
        arrays, _ = read_safetensors(f)
        for key, a in arrays.items():
            w = wanted(key)
            if w is None:
                continue
            if a.shape != (E,) or a.dtype.kind not in "iu":
                raise _bad(f"{key} has shape {list(a.shape)} dtype {a.dtype}; expected integer [{E}]", f"{os.path.basename(f)} {key}")
            iters.add(w[0])
            load.setdefault(w[1], np.zeros(E, np.int64))
            load[w[1]] += a.astype(np.int64)
        cf = os.path.join(folder, f"cooccurrence_rank{rank}.safetensors")
        if os.path.isfile(cf):
            for key, a in read_safetensors(cf)[0].items():
                w = wanted(key)
                if w is not None:
                    cooc.setdefault(w[1], np.zeros((E, E), np.int64))
                    cooc[w[1]] += a.astype(np.int64)
        nf = os.path.join(folder, f"rank{rank}_numtokens.json")
        if os.path.isfile(nf):
            for key, n in json.load(open(nf)).items():
                w = wanted(key)
                if w is not None:
                    tokens[w[1]] = tokens.get(w[1], 0) + int(n)
    if not load:
        raise _bad(f"no counts in the iteration range {start}-{end}", folder)
    model_layers = sorted(load)
    L = np.stack([load[l] for l in model_layers])
    T = np.array([tokens[l] for l in model_layers]) if tokens and all(l in tokens for l in model_layers) else None
    C = np.stack([cooc[l] for l in model_layers]) if cooc and all(l in cooc for l in model_layers) else None
    rng = f"{min(iters)}-{max(iters)}"
    doc = _load_document(L, f"trtllm-{os.path.basename(os.path.abspath(folder))}-iter{rng}", T, C)
    return "aggregate", doc, {"kind": "trtllm", "modelLayers": model_layers, "ranks": len(files), "iterations": rng, "topK": meta.get("num_experts_per_token")}


# -- vLLM --------------------------------------------------------------------------------------------
def _vllm_records(path: str) -> Iterable[dict]:
    text = open(path).read()
    try:
        doc = json.loads(text)
        items = doc if isinstance(doc, list) else [doc]
    except json.JSONDecodeError:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    for obj in items:
        found = False
        for holder in [obj] + list(obj.get("outputs") or []) + list(obj.get("choices") or []):
            if isinstance(holder, dict) and holder.get("routed_experts") is not None:
                found = True
                yield {**obj, **holder}
        if not found:
            raise _bad("a request without routed_experts (start vLLM with routed-expert return enabled)", f"{path}, request {obj.get('id', obj.get('request_id', '?'))}")


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _vllm_requests(requests) -> Iterable[dict]:
    """vLLM RequestOutput objects (or their dicts) -> one record per completion with experts."""
    for obj in requests:
        outs = _field(obj, "outputs") or []
        for out in outs:
            if _field(out, "routed_experts") is not None:
                yield {"routed_experts": _field(out, "routed_experts"), "prompt_token_ids": _field(obj, "prompt_token_ids"), "token_ids": _field(out, "token_ids")}


def vllm_events(records: Iterable, layers: Optional[int] = None, top_k: Optional[int] = None, where: str = "requests") -> dict:
    """Event arrays from vLLM's routed experts: `records` are RequestOutput objects (offline
    `LLM.generate`), or dicts as read from the server's JSON. One sequence per completion."""
    ids_parts, seq, pos, tok = [], [], [], []
    for n, r in enumerate(records):
        if not isinstance(r, dict) or "routed_experts" not in r:
            expanded = list(_vllm_requests([r]))
            if not expanded:
                raise _bad("a request without routed_experts (enable vLLM's routed-expert return)", f"{where}, request {n}")
            for e in expanded:
                _vllm_one(e, f"{where}, request {n}", layers, top_k, ids_parts, seq, pos, tok)
        else:
            _vllm_one(r, f"{where}, request {n}", layers, top_k, ids_parts, seq, pos, tok)
    if not ids_parts:
        raise _bad("no requests", where)
    shapes = {p.shape[1:] for p in ids_parts}
    if len(shapes) != 1:
        raise _bad(f"requests disagree on [layers, top_k]: {sorted(shapes)}", "routed_experts")
    ids = np.concatenate(ids_parts)
    keep = _moe_layers((ids >= 0).any(axis=(0, 2)))  # -1 where a layer is not MoE
    return {"expert_ids": ids[:, keep].astype(np.int32), "seq_ids": np.concatenate(seq).astype(np.int32), "positions": np.concatenate(pos).astype(np.int32), "token_ids": np.concatenate(tok).astype(np.int32)}


def _vllm_one(r: dict, where: str, layers, top_k, ids_parts, seq, pos, tok) -> None:
    v = r["routed_experts"]
    if isinstance(v, str):
        flat = np.frombuffer(base64.b64decode(v), "<i4")
        shape = r.get("routed_experts_shape")
        if shape is None:
            if not (layers and top_k):
                raise _bad("base64 routed_experts without routed_experts_shape: give layers= and top_k=", where)
            shape = [-1, layers, top_k]
        a = flat.reshape(shape)
    else:
        a = _np(v, where)
    if a.ndim != 3:
        raise _bad(f"routed_experts has shape {list(a.shape)}; expected [tokens, layers, top_k]", where)
    T = a.shape[0]
    ids_parts.append(a.astype(np.int64))
    seq.append(np.full(T, len(seq)))
    pos.append(np.arange(T))
    t = list(r.get("prompt_token_ids") or []) + list(r.get("token_ids") or [])
    tok.append(np.asarray(t[:T] if len(t) >= T else [-1] * T, np.int64))


def vllm(paths: Sequence[str], layers: Optional[int] = None, top_k: Optional[int] = None) -> Tuple[str, dict, dict]:
    records = [r for path in paths for r in _vllm_records(path)]
    arrays = vllm_events(records, layers, top_k, where=", ".join(paths))
    return "events", arrays, {"kind": "vllm", "requests": int(arrays["seq_ids"].max()) + 1}


# -- the command ----------------------------------------------------------------------------------
def convert(kind: str, inputs: Sequence[str], output: str, out_format: Optional[str] = None, start=None, end=None) -> List[str]:
    """`python -m moe_atlas convert KIND INPUT... -o OUT`: writes one file per output (a folder
    when there are several) and returns their paths."""
    results = []
    if kind == "sglang":
        results = [sglang(p) for p in inputs]
    elif kind == "sglang-csv":
        results = [sglang_csv(p) for p in inputs]
    elif kind == "trtllm":
        results = [trtllm(p, start, end) for p in inputs]
    elif kind == "vllm":
        results = [vllm(inputs)]
    else:
        raise AtlasError(0, "invalid_field", f"unknown kind {kind!r}", "kind")
    if out_format == "aggregate":
        fixed = []
        for what, data, info in results:
            if what == "events":
                agg = Aggregator(data["expert_ids"].shape[1], int(data["expert_ids"].max()) + 1, weights=False)
                agg.add(data["expert_ids"])
                data = agg.to_document(shard=f"{kind}-{len(fixed)}")
            fixed.append(("aggregate", data, info))
        results = fixed
    paths = []
    many = len(results) > 1
    if many:
        os.makedirs(output, exist_ok=True)
    for i, (what, data, info) in enumerate(results):
        if what == "aggregate":
            p = os.path.join(output, f"{kind}-{i}.json") if many else output
            write_aggregate(p, data)
        else:
            ext = "safetensors" if out_format == "safetensors" else "npz"
            p = os.path.join(output, f"{kind}-{i}.{ext}") if many else output
            write_events(p, data, fmt=ext)
        paths.append(p)
    return paths
