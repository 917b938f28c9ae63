"""`with moe_atlas.capture(model, run=... or out=..., mode=...):` records the routing of every
`model(...)` and `model.generate(...)` call inside it.

How it works: a forward hook on each MoE layer's router computes that layer's top-k ids, applied
weights and logits with the family's rule (routers.py); a wrapper around `model.forward` knows
the call's input ids, attention mask and KV cache, so once the forward returns it assembles the
tokens of the call: padding (attention mask 0) is left out, positions are real (the index of the
token among its sequence's unmasked tokens, so decode steps under `generate()` with a KV cache
get their true position), sequence ids are kept across the decode steps of one sequence.
Events go to a bounded buffer written as chunks at token boundaries (safetensors or .npz) and
uploaded as they are written; mode="aggregate" reduces on the spot to moe-atlas.aggregate.v1.
"""
from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from .errors import AtlasError
from .formats import Aggregator, write_aggregate, write_events
from . import routers as R


def describe(model: nn.Module, name: Optional[str] = None, routers=None, rule=None, experts=None, top_k=None) -> dict:
    """The model shape `Client.create_run(model=...)` takes, from the discovered routers."""
    specs = R.custom(model, routers, rule, experts, top_k) if routers is not None else R.discover(model)
    if not specs:
        raise AtlasError(0, "no_routers", f"no MoE routers found in {type(model).__name__}; pass routers= and rule=")
    d = {"name": name or type(model).__name__, "layers": len(specs), "experts": max(s.experts for s in specs), "topK": max(s.top_k for s in specs)}
    # The router kind and whether weights sum to 1 (the server warns when they should and do not).
    for key in ("router", "renormalize"):
        values = {s.extra[key] for s in specs if key in s.extra}
        if len(values) == 1:
            d[key] = values.pop()
    layers = [s.model_layer for s in specs]
    if all(x is not None for x in layers) and len(set(layers)) == len(layers) and all(s.stream == "main" for s in specs):
        d["moeLayerIndices"] = layers
    return d


def _past_length(kwargs) -> int:
    cp = kwargs.get("cache_position")
    if isinstance(cp, torch.Tensor) and cp.numel():
        return int(cp.reshape(-1)[0])
    pkv = kwargs.get("past_key_values")
    if pkv is None:
        return 0
    if hasattr(pkv, "get_seq_length"):
        return int(pkv.get_seq_length())
    try:  # legacy tuple of per-layer (key, value[, cross key, cross value]) [B, heads, seq, dim]
        return int(pkv[0][0].shape[-2])
    except Exception:
        return 0


class _Uploader:
    """One background thread posting chunk files in order; at most `depth` wait (bounded memory)."""

    def __init__(self, run, progress: bool, keep_files: bool, depth: int = 2):
        self.run, self.progress, self.keep = run, progress, keep_files
        self.q: "queue.Queue" = queue.Queue(maxsize=depth)
        self.reports: List[dict] = []
        self.error: Optional[BaseException] = None
        self.t = threading.Thread(target=self._loop, daemon=True)
        self.t.start()

    def _loop(self):
        while True:
            path = self.q.get()
            if path is None:
                return
            try:
                if self.error is None:
                    self.reports.append(self.run.upload(path, progress=self.progress))
            except BaseException as e:  # raised in the main thread at the next put / close
                self.error = e
            finally:
                if not self.keep:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass

    def put(self, path: str):
        if self.error:
            raise self.error
        self.q.put(path)

    def close(self):
        self.q.put(None)
        self.t.join()
        if self.error:
            raise self.error


class Capture:
    """See the module docstring. Arguments:

    run: a `Run` to upload to; out: a folder for the files (either or both).
    mode: "events" (raw events in chunks of `chunk_tokens` tokens, `format` "safetensors" or
      "npz") or "aggregate" (sums only, posted once at the end as shard `shard`).
    labels: a label for every token (str), or one per batch row (list); `set_label()` changes it.
    logits: record router logits (length E per token and layer); False for smaller files.
    routers / rule / experts / top_k: for models outside the known families (routers.custom).
    shard / job: the aggregate shard name; under torch.distributed it is f"{job}-rank{rank}".
    """

    def __init__(self, model: nn.Module, run=None, out: Optional[Union[str, os.PathLike]] = None, mode: str = "events",
                 labels: Union[None, str, Sequence[str]] = None, logits: bool = True, chunk_tokens: int = 65536, format: str = "safetensors",
                 routers=None, rule: Optional[Callable] = None, experts: Optional[int] = None, top_k: Optional[int] = None,
                 shard: Optional[str] = None, job: Optional[str] = None, progress: bool = False, check_model: bool = True):
        if mode not in ("events", "aggregate"):
            raise AtlasError(0, "invalid_field", f'mode is "events" or "aggregate", not {mode!r}', "mode")
        if run is None and out is None:
            raise AtlasError(0, "invalid_request", "capture needs run= (upload) or out= (a folder), or both", "run")
        if format not in ("safetensors", "npz"):
            raise AtlasError(0, "invalid_field", f'format is "safetensors" or "npz", not {format!r}', "format")
        self.model, self.run, self.mode, self.logits = model, run, mode, logits
        self.out = os.fspath(out) if out is not None else None
        self.chunk_tokens, self.format, self.progress = int(chunk_tokens), format, progress
        self.specs = R.custom(model, routers, rule, experts, top_k) if routers is not None else R.discover(model)
        if not self.specs:
            raise AtlasError(0, "no_routers", f"no MoE routers found in {type(model).__name__}: pass routers= (modules or a predicate) and rule= (e.g. moe_atlas.routers.softmax_topk(k, renormalize))")
        self.L = len(self.specs)
        self.E = max(s.experts for s in self.specs)
        self.K = max(s.top_k for s in self.specs) or None  # custom rules may tell k at the first call
        if run is not None and check_model:
            m = run.model
            if m["layers"] != self.L or m["experts"] < self.E:
                raise AtlasError(0, "shape_mismatch", f"the model has {self.L} MoE layers of {self.E} experts, run {run.id} is for {m['layers']} layers of {m['experts']}", "run.model")
            if self.K and self.K > m["topK"]:
                raise AtlasError(0, "k_too_large", f"the model routes top-{self.K}, run {run.id} is for top-{m['topK']}", "run.model")
            self.K = self.K or m["topK"]
        self.label_names: List[str] = []
        self.set_label(labels)
        self.shard, self.job = shard, job
        self.id = uuid.uuid4().hex[:12]
        self.rank, self.world = self._dist()
        self.seq_offset = self.rank << 20  # sequence ids unique across ranks (int32: ranks < 2048)
        self.files: List[str] = []
        self.reports: List[dict] = []
        self.tokens = 0
        self.aggregator: Optional[Aggregator] = None
        self.document: Optional[dict] = None
        # Time spent in capture's own code on the calling thread (hooks, assembling, reducing,
        # writing chunks), for overhead measurements; background uploads are not in it.
        self.seconds = 0.0

    # -- labels --------------------------------------------------------------------------------
    def set_label(self, labels: Union[None, str, Sequence[str]]) -> None:
        """The label of the tokens of the following calls: one str, or one per batch row."""
        def idx(name):
            if name is None:
                return -1
            if name not in self.label_names:
                self.label_names.append(str(name))
            return self.label_names.index(name)

        self._label = None if labels is None else idx(labels) if isinstance(labels, str) else [idx(x) for x in labels]

    # -- lifecycle -----------------------------------------------------------------------------
    @staticmethod
    def _dist():
        d = torch.distributed
        if d.is_available() and d.is_initialized():
            return d.get_rank(), d.get_world_size()
        return 0, 1

    def __enter__(self) -> "Capture":
        self._pending: Dict[int, list] = {i: [] for i in range(self.L)}
        self._ignored = 0
        self._depth = 0
        self._next_seq = 0
        self._last_seq: Optional[np.ndarray] = None
        self._gen: Optional[dict] = None
        self._buf: List[Dict[str, np.ndarray]] = []
        self._buffered = 0
        self._chunk = 0
        self._tmp: Optional[str] = None
        if self.out:
            os.makedirs(self.out, exist_ok=True)
        if self.mode == "aggregate":
            self.aggregator = Aggregator(self.L, self.E)
        self._uploader = _Uploader(self.run, self.progress, keep_files=self.out is not None) if (self.run is not None and self.mode == "events") else None
        self._handles = [s.module.register_forward_hook(self._hook(i)) for i, s in enumerate(self.specs)]
        m = self.model
        self._saved = {n: m.__dict__.get(n) for n in ("forward", "generate")}
        orig_forward = m.forward
        m.forward = self._wrap_forward(orig_forward)
        if hasattr(m, "generate"):
            m.generate = self._wrap_generate(m.generate)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for h in self._handles:
            h.remove()
        if self._ignored:
            warnings.warn(f"moe_atlas.capture: {self._ignored} router call(s) outside model(...) / model.generate(...) were not recorded "
                          "(the model's parts called directly, or gradient-checkpoint recomputation)")
        for n, v in self._saved.items():
            if v is None:
                self.model.__dict__.pop(n, None)
            else:
                self.model.__dict__[n] = v
        try:
            if exc_type is None:
                t0 = time.perf_counter()
                self._finish()
                self.seconds += time.perf_counter() - t0
        finally:
            try:
                if self._uploader is not None:
                    try:
                        self._uploader.close()  # raises a refused upload
                    except BaseException:
                        if exc_type is None:
                            raise
                    finally:
                        self.reports.extend(self._uploader.reports)
            finally:
                if self._tmp is not None:
                    shutil.rmtree(self._tmp, ignore_errors=True)

    # -- hooks ---------------------------------------------------------------------------------
    def _hook(self, i: int):
        spec = self.specs[i]

        def hook(module, inputs, output):
            if self._depth == 0 and self._gen is None:
                # Not inside model(...) or model.generate(...): the model's parts called directly,
                # or gradient-checkpoint recomputation in backward. No token identities: skipped.
                self._ignored += 1
                return
            t0 = time.perf_counter()
            with torch.no_grad():
                ids, w, lg = spec.rule(module, inputs, output)
                ids = ids.detach().to("cpu", torch.int16 if self.E < 32768 else torch.int32)
                w = w.detach().to("cpu", torch.float32)
                lg = lg.detach().to("cpu", torch.float32) if (self.logits and lg is not None) else None
            self._pending[i].append((ids, w, lg))
            self.seconds += time.perf_counter() - t0

        return hook

    def _wrap_generate(self, orig):
        def generate(*args, **kwargs):
            ids = kwargs.get("input_ids", args[0] if args and isinstance(args[0], torch.Tensor) else None)
            prev, self._gen = self._gen, {"input_ids": ids, "attention_mask": kwargs.get("attention_mask")}
            self._last_seq = None  # a new generate() is new sequences
            try:
                return orig(*args, **kwargs)
            finally:
                self._gen = prev

        return generate

    def _wrap_forward(self, orig):
        def forward(*args, **kwargs):
            if self._depth:
                return orig(*args, **kwargs)
            # Router calls since the last model call that no model call owned (the model's parts
            # called directly) cannot be given token identities; an encoder's run is kept for the
            # decoder calls of an encoder-decoder generate().
            stale = sum(len(v) for i, v in self._pending.items() if self.specs[i].stream != "encoder")
            if stale:  # inside generate() but outside its forward calls
                self._ignored += stale
                for i, v in self._pending.items():
                    if self.specs[i].stream != "encoder":
                        v.clear()
            self._depth += 1
            # Before the call: a transformers DynamicCache grows during the forward.
            past = _past_length(kwargs)
            try:
                out = orig(*args, **kwargs)
            except BaseException:
                for v in self._pending.values():
                    v.clear()
                raise
            finally:
                self._depth -= 1
            t0 = time.perf_counter()
            self._collect(args, kwargs, past)
            self.seconds += time.perf_counter() - t0
            return out

        return forward

    # -- assembling one call's tokens ---------------------------------------------------------
    def _collect(self, args, kwargs, past: int) -> None:
        fired = {i for i, v in self._pending.items() if v}
        if not fired:
            return
        by_stream: Dict[str, List[int]] = {}
        for i in sorted(fired):
            by_stream.setdefault(self.specs[i].stream, []).append(i)
        for stream, layers in by_stream.items():
            self._collect_stream(stream, layers, args, kwargs, past)
        for v in self._pending.values():
            v.clear()

    def _collect_stream(self, stream: str, layers: List[int], args, kwargs, past: int) -> None:
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if stream == "decoder":
            ids_src, mask, emb = kwargs.get("decoder_input_ids"), kwargs.get("decoder_attention_mask"), kwargs.get("decoder_inputs_embeds")
            pos_ids = kwargs.get("decoder_position_ids")
        else:
            ids_src = kwargs.get("input_ids", first)
            mask = kwargs.get("attention_mask", args[1] if len(args) > 1 and isinstance(args[1], torch.Tensor) else None)
            emb, pos_ids = kwargs.get("inputs_embeds"), kwargs.get("position_ids")
            if ids_src is not None and (ids_src.is_floating_point() or ids_src.dim() != 2):
                emb, ids_src = (ids_src if emb is None and ids_src.dim() == 3 else emb), None  # embeddings given positionally, not token ids
            if ids_src is None and emb is None and self._gen is not None and stream == "encoder":
                ids_src, mask = self._gen["input_ids"], self._gen["attention_mask"] if mask is None else mask
        parts = {i: self._pending[i] for i in layers}
        N = parts[layers[0]][0][0].shape[0]
        for i, p in parts.items():
            if len(p) != 1 or p[0][0].shape[0] != N:
                raise AtlasError(0, "inconsistent_events", f"router {self.specs[i].name} ran {len(p)} times with {[x[0].shape[0] for x in p]} rows in one forward; expected once with {N} rows")
        if ids_src is not None and ids_src.dim() == 2:
            B, S = ids_src.shape
        elif emb is not None:
            B, S = emb.shape[:2]
        else:
            B, S = 1, N
        if B * S != N:  # the routers saw other rows than the inputs: no sequence identities
            warnings.warn(f"moe_atlas.capture: routers saw {N} rows for inputs of {B} x {S} tokens; recorded as one sequence without token ids or padding removal")
            B, S, ids_src, mask = 1, N, None, None
        past = past if stream != "encoder" else 0
        if mask is not None and (mask.dim() != 2 or mask.shape[0] != B or mask.shape[1] < S):
            warnings.warn(f"moe_atlas.capture: an attention mask of shape {list(mask.shape)} for {B} x {S} tokens is not a [batch, length] padding mask; padding not removed")
            mask = None
        if mask is not None:
            mask = mask.to("cpu")
            full = mask.long()
            if full.shape[1] > S:
                past = max(past, full.shape[1] - S)
            pos = (full.cumsum(-1) - 1)[:, -S:]
            keep = full[:, -S:].bool()
        elif pos_ids is not None:
            pos = pos_ids.to("cpu").long().expand(B, S)
            keep = torch.ones(B, S, dtype=torch.bool)
        else:
            pos = (torch.arange(S) + past).expand(B, S)
            keep = torch.ones(B, S, dtype=torch.bool)
        # Sequence ids: decode steps (a KV cache in use) continue the previous call's sequences.
        if past > 0 and self._last_seq is not None and len(self._last_seq) == B:
            seq = self._last_seq
        elif stream == "decoder" and self._last_seq is not None and len(self._last_seq) == B:
            seq = self._last_seq  # the decoder of the encoder's sequences
        else:
            seq = np.arange(self._next_seq, self._next_seq + B, dtype=np.int64) + self.seq_offset
            self._next_seq += B
        self._last_seq = seq
        keep_f = keep.reshape(-1).numpy()
        n = int(keep_f.sum())
        if n == 0:
            return
        K = self.K or max(p[0][0].shape[1] for p in parts.values())
        self.K = K
        ids = np.full((N, self.L, K), -1, np.int16 if self.E < 32768 else np.int32)
        w = np.zeros((N, self.L, K), np.float32)
        lg = np.zeros((N, self.L, self.E), np.float32) if self.logits else None
        for i, p in parts.items():
            a, b, c = p[0]
            k = a.shape[1]
            ids[:, i, :k] = a.numpy()
            w[:, i, :k] = b.numpy()
            if lg is not None and c is not None:
                lg[:, i, : c.shape[1]] = c.numpy()
        seq_t = np.repeat(seq, S)
        tok = ids_src[:, -S:].reshape(-1).to("cpu").numpy().astype(np.int32) if ids_src is not None else np.full(N, -1, np.int32)
        if self._label is None:
            lab = np.full(N, -1, np.int16)
        elif isinstance(self._label, int):
            lab = np.full(N, self._label, np.int16)
        else:
            if len(self._label) != B:
                raise AtlasError(0, "invalid_label", f"{len(self._label)} labels for a batch of {B} rows", "labels")
            lab = np.repeat(np.asarray(self._label, np.int16), S)
        ev = {"expert_ids": ids[keep_f], "weights": w[keep_f]}
        if lg is not None:
            ev["logits"] = lg[keep_f]
        ev.update(seq_ids=seq_t[keep_f].astype(np.int32), positions=pos.reshape(-1).numpy()[keep_f].astype(np.int32), token_ids=tok[keep_f], labels=lab[keep_f])
        self._emit(ev)

    # -- sinks ---------------------------------------------------------------------------------
    def _emit(self, ev: Dict[str, np.ndarray]) -> None:
        n = len(ev["expert_ids"])
        self.tokens += n
        if self.mode == "aggregate":
            self.aggregator.add(ev["expert_ids"], ev["weights"], ev["labels"], self.label_names)
            return
        self._buf.append(ev)
        self._buffered += n
        while self._buffered >= self.chunk_tokens:
            self._write_chunk(self.chunk_tokens)

    def _write_chunk(self, n: int) -> None:
        """Writes the first n buffered tokens as one file (a token boundary: all its layers)."""
        take, rest, got = [], [], 0
        for ev in self._buf:
            m = len(ev["expert_ids"])
            if got >= n:
                rest.append(ev)
            elif got + m <= n:
                take.append(ev)
                got += m
            else:
                cut = n - got
                take.append({k: v[:cut] for k, v in ev.items()})
                rest.append({k: v[cut:] for k, v in ev.items()})
                got = n
        self._buf, self._buffered = rest, self._buffered - got
        arrays = {k: np.concatenate([e[k] for e in take]) for k in take[0]}
        if not self.label_names:
            arrays.pop("labels")
        name = f"{self.id}-r{self.rank}-{self._chunk:05d}.{self.format}"
        if not self.out and self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="moe-atlas-")  # chunks wait here until uploaded
        path = os.path.join(self.out or self._tmp, name)
        write_events(path, arrays, self.label_names or None, self.format, chunk_id=f"{self.id}:{self.rank}:{self._chunk}")
        self._chunk += 1
        if self.out:
            self.files.append(path)
        if self._uploader is not None:
            self._uploader.put(path)

    def _job(self) -> str:
        if self.job:
            return self.job
        for var in ("TORCHELASTIC_RUN_ID", "SLURM_JOB_ID"):
            if os.environ.get(var) and os.environ[var] != "none":
                return f"job{os.environ[var]}"
        job = [self.id]
        if self.world > 1:  # one name for the whole job: rank 0's
            torch.distributed.broadcast_object_list(job, src=0)
        return job[0]

    def _finish(self) -> None:
        if self.mode == "events":
            if self._buffered:
                self._write_chunk(self._buffered)
            return
        shard = self.shard or (f"{self._job()}-rank{self.rank}" if self.world > 1 else f"capture-{self.id}")
        self.document = self.aggregator.to_document(shard=shard)
        if self.out:
            self.files.append(write_aggregate(os.path.join(self.out, f"aggregate-{shard}.json"), self.document))
        if self.run is not None:
            self.reports.append(self.run.upload(self.document))
