"""A client of MoE Atlas's public HTTP API (PRODUCT.md §9, docs/API.md), on the standard library."""
from __future__ import annotations

import http.client
import json
import os
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from .errors import AtlasError
from .progress import bar

DEFAULT_URL = "http://127.0.0.1:3000"
_RETRYABLE = (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead, BrokenPipeError, TimeoutError, OSError)


def _error_from(status: int, body: bytes) -> AtlasError:
    try:
        e = json.loads(body)["error"]
        return AtlasError(status, e.get("code", "error"), e.get("message", ""), e.get("where"))
    except Exception:
        return AtlasError(status, "http_error", body[:200].decode("utf8", "replace") or f"HTTP {status}")


@dataclass
class LayerData:
    """One MoE layer's sums, exact float64 from the matrix endpoint."""

    layer: int
    tokens: int
    load: np.ndarray  # [E]
    weight_sum: np.ndarray  # [E]
    coactivation: np.ndarray  # [E, E]
    transitions: Optional[np.ndarray]  # [E, E] to the next MoE layer, None where the run has none


class Client:
    """`Client(url=None, token=None)`: defaults from MOE_ATLAS_URL and MOE_ATLAS_TOKEN."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 3600.0, retries: int = 3):
        self.url = (url or os.environ.get("MOE_ATLAS_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("MOE_ATLAS_TOKEN")
        self.timeout = timeout
        self.retries = retries
        u = urllib.parse.urlsplit(self.url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise AtlasError(0, "invalid_url", f"{self.url} is not an http(s) URL", "url")
        self._scheme, self._host, self._port, self._base = u.scheme, u.hostname, u.port, u.path.rstrip("/")

    # -- transport -------------------------------------------------------------------------
    def _conn(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def _headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        h = {"accept": "application/json"}
        if self.token:
            h["authorization"] = f"Bearer {self.token}"
        if extra:
            h.update(extra)
        return h

    def request(self, method: str, path: str, body: Union[None, bytes, Any] = None, query: Optional[Mapping[str, Any]] = None,
                headers: Optional[Mapping[str, str]] = None, body_file=None, body_size: int = 0, on_sent=None) -> Tuple[int, Dict[str, str], bytes]:
        """One HTTP exchange; raises AtlasError(0, "unreachable") when the server cannot be reached."""
        target = self._base + path
        if query:
            q = {k: v for k, v in query.items() if v is not None}
            if q:
                target += "?" + urllib.parse.urlencode(q)
        hdrs = self._headers(headers)
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        conn = self._conn()
        try:
            if body_file is not None:
                hdrs["content-length"] = str(body_size)
                conn.putrequest(method, target, skip_accept_encoding=True)
                for k, v in hdrs.items():
                    conn.putheader(k, v)
                conn.endheaders()
                while True:
                    piece = body_file.read(1 << 20)
                    if not piece:
                        break
                    conn.send(piece)
                    if on_sent:
                        on_sent(len(piece))
            else:
                conn.request(method, target, body=body, headers=hdrs)
            res = conn.getresponse()
            data = res.read()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, data
        finally:
            conn.close()

    def _json(self, method: str, path: str, body=None, query=None, ok=(200, 201)) -> Any:
        try:
            status, _, data = self.request(method, path, body, query)
        except _RETRYABLE as e:
            raise AtlasError(0, "unreachable", f"cannot reach {self.url} ({e}); is the server running? (url= / MOE_ATLAS_URL)") from e
        if status not in ok:
            raise _error_from(status, data)
        return json.loads(data) if data else None

    # -- API ---------------------------------------------------------------------------------
    def health(self) -> dict:
        return self._json("GET", "/api/health")

    def presets(self) -> List[dict]:
        return self._json("GET", "/api/models/presets")["presets"]

    def create_run(self, name: str, preset: Optional[str] = None, model: Optional[dict] = None, description: Optional[str] = None,
                   tags: Optional[List[str]] = None, visibility: Optional[str] = None, policy: Optional[str] = None,
                   series: Optional[str] = None, step: Optional[int] = None) -> "Run":
        """A new run from a preset id (`preset="mixtral-8x7b"`) or a model shape
        (`model={"name", "layers", "experts", "topK", ...}`). `series` and `step` make it one
        checkpoint of a training series (one run per step)."""
        if (preset is None) == (model is None):
            raise AtlasError(0, "invalid_request", "give preset= or model=, not both or neither", "model")
        body: Dict[str, Any] = {"name": name, "model": {"preset": preset} if preset else dict(model)}
        for k, v in (("description", description), ("tags", tags), ("visibility", visibility), ("policy", policy),
                     ("series", series), ("step", step)):
            if v is not None:
                body[k] = v
        return Run(self, self._json("POST", "/api/runs", body))

    def run(self, run_id: str) -> "Run":
        return Run(self, self._json("GET", f"/api/runs/{urllib.parse.quote(run_id)}"))

    def runs(self, q: Optional[str] = None, model: Optional[str] = None, tag: Optional[str] = None,
             series: Optional[str] = None, policy: Optional[str] = None, sort: Optional[str] = None,
             order: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None) -> List["Run"]:
        """One page of the runs list, sorted on the server: `sort` is created, name, model, policy,
        series, tags, tokens, events, balance or entropy, `order` asc or desc; `limit` (at most
        1000, the default) and `offset` page. `runs_total(...)` says how many match in all."""
        return [Run(self, r) for r in self._runs_page(q, model, tag, series, policy, sort, order, limit, offset)["runs"]]

    def runs_total(self, q: Optional[str] = None, model: Optional[str] = None, tag: Optional[str] = None,
                   series: Optional[str] = None, policy: Optional[str] = None) -> int:
        """How many runs the filters match, over all pages."""
        return self._runs_page(q, model, tag, series, policy, None, None, 1, 0)["total"]

    def _runs_page(self, q, model, tag, series, policy, sort, order, limit, offset) -> dict:
        query = {"q": q, "model": model, "tag": tag, "series": series, "policy": policy, "sort": sort, "order": order,
                 "limit": limit, "offset": offset}
        return self._json("GET", "/api/runs", query=query)

    def compare(self, a: Optional[str] = None, b: Optional[str] = None, runs: Optional[List[Any]] = None,
                base: Optional[Any] = None, layer: Optional[int] = None, paired: bool = False) -> dict:
        """GET /api/compare: two runs (`a=`, `b=`, optional `layer`) or 2 to 8 (`runs=[...]`, optional
        `base=`, the first by default): per-layer curves per run, `jsd` (run x layer JS distance to
        the base) and, with `paired=True`, `flipRate`. Runs may be ids or Run objects."""
        ident = lambda r: r.id if isinstance(r, Run) else r  # noqa: E731
        if runs is not None:
            if a is not None or b is not None or layer is not None:
                raise AtlasError(0, "invalid_request", "give runs= (with base=), or a= and b= (with layer=)", "runs")
            query = {"runs": ",".join(ident(r) for r in runs), "base": ident(base) if base is not None else None}
        else:
            query = {"a": ident(a) if a is not None else None, "b": ident(b) if b is not None else None, "layer": layer}
        query["paired"] = "1" if paired else None
        return self._json("GET", "/api/compare", query=query)

    def series(self, name: str, placement: str = "contiguous", devices: int = 4, top_t: int = 2) -> dict:
        """GET /api/series/{name}: per step (the runs you may read, in step order) every layer mean of
        A1 and A3, dead and hot experts, C_T under `placement` on `devices`, next-layer predictability,
        each also per layer (`steps[i]["perLayer"]`), and `routerSaturation` against the last step."""
        query = {"placement": placement, "devices": devices, "topT": top_t}
        return self._json("GET", f"/api/series/{urllib.parse.quote(name, safe='')}", query=query)


class Run:
    """A run on the server: `id`, `url`, `info` (the server's JSON), `upload()`, `layer()`."""

    def __init__(self, client: Client, info: dict):
        self.client = client
        self.info = info
        self.id: str = info["id"]

    def __repr__(self) -> str:
        return f"Run({self.id!r}, {self.info.get('name')!r})"

    @property
    def url(self) -> str:
        return f"{self.client.url}/runs/{self.id}"

    @property
    def model(self) -> dict:
        return self.info["model"]

    def refresh(self) -> "Run":
        self.info = self.client._json("GET", f"/api/runs/{self.id}")
        return self

    def update(self, **fields: Any) -> "Run":
        """PATCH the run: any of name, description, tags, visibility, policy, series, step (None
        clears series or step)."""
        allowed = {"name", "description", "tags", "visibility", "policy", "series", "step"}
        unknown = set(fields) - allowed
        if unknown:
            raise AtlasError(0, "invalid_request", f"run.update() takes {', '.join(sorted(allowed))}; not {', '.join(sorted(unknown))}", sorted(unknown)[0])
        self.info = self.client._json("PATCH", f"/api/runs/{self.id}", fields)
        return self

    def upload(self, data: Union[str, os.PathLike, Mapping[str, Any]], format: Optional[str] = None, label: Optional[str] = None,
               map: Optional[str] = None, exclude_warmup: bool = False, progress: bool = True, label_names=None, filename: Optional[str] = None) -> dict:
        """Uploads a trace file (streamed from disk, with progress), an aggregate document (a dict
        with "format": "moe-atlas.aggregate.v1"), or event arrays (a dict of numpy arrays, written
        to a temporary safetensors file). Returns the server's report; `report["duplicate"]` is
        True when the server already held these exact bytes (or this shard) and counted nothing.

        Idempotency: the server keeps the SHA-256 of every committed upload and each aggregate
        shard name, and answers 409 duplicate_upload to a second copy. A connection dropped
        mid-upload is retried with the same bytes: if the first attempt had committed, the retry
        is that 409 (reported as duplicate, counted once); if not, the retry counts it. Either way
        it is counted exactly once."""
        if isinstance(data, Mapping):
            if data.get("format") == "moe-atlas.aggregate.v1":
                body = json.dumps(data, separators=(",", ":")).encode()
                return self._upload_bytes(body, filename or f"{data.get('shard', 'aggregate')}.json", format or "aggregate", label, map, exclude_warmup)
            from .formats import write_events

            fd, tmp = tempfile.mkstemp(suffix=".safetensors", prefix="moe-atlas-")
            os.close(fd)
            try:
                arrays = {k: np.asarray(v) for k, v in data.items()}
                write_events(tmp, arrays, label_names, "safetensors", chunk_id=uuid.uuid4().hex)
                return self._upload_path(tmp, format, label, map, exclude_warmup, progress, filename or "arrays.safetensors")
            finally:
                os.unlink(tmp)
        return self._upload_path(os.fspath(data), format, label, map, exclude_warmup, progress, filename)

    def _query(self, filename, format, label, map, exclude_warmup):
        return {"filename": filename, "key": uuid.uuid4().hex, "format": format, "label": label, "map": map, "exclude_warmup": "1" if exclude_warmup else None}

    def _finish(self, status: int, data: bytes) -> dict:
        if status == 200:
            report = json.loads(data)
            report["duplicate"] = False
            return report
        if status == 409:
            err = _error_from(status, data)
            if err.code == "duplicate_upload":
                return {"duplicate": True, "events": 0, "tokens": 0, "warnings": [], "message": err.message}
            raise err
        raise _error_from(status, data)

    def _upload_path(self, path: str, format, label, map, exclude_warmup, progress, filename) -> dict:
        if not os.path.isfile(path):
            raise AtlasError(0, "not_found", f"{path}: no such file", path)
        size = os.path.getsize(path)
        name = filename or os.path.basename(path)
        last: Optional[BaseException] = None
        for attempt in range(self.client.retries + 1):
            b = bar(size, name, progress)
            try:
                with open(path, "rb") as f:
                    status, _, data = self.client.request(
                        "POST", f"/api/runs/{self.id}/traces", query=self._query(name, format, label, map, exclude_warmup),
                        headers={"content-type": "application/octet-stream"}, body_file=f, body_size=size, on_sent=b.update)
                return self._finish(status, data)
            except _RETRYABLE as e:  # dropped connection: the same bytes again (see upload())
                last = e
                time.sleep(min(2 ** attempt * 0.5, 8))
            finally:
                b.close()
        raise AtlasError(0, "unreachable", f"uploading {path} to {self.client.url} failed after {self.client.retries + 1} attempts: {last}")

    def _upload_bytes(self, body: bytes, filename, format, label, map, exclude_warmup) -> dict:
        last: Optional[BaseException] = None
        for attempt in range(self.client.retries + 1):
            try:
                status, _, data = self.client.request("POST", f"/api/runs/{self.id}/traces", body=body, query=self._query(filename, format, label, map, exclude_warmup),
                                                      headers={"content-type": "application/json"})
                return self._finish(status, data)
            except _RETRYABLE as e:
                last = e
                time.sleep(min(2 ** attempt * 0.5, 8))
        raise AtlasError(0, "unreachable", f"uploading {filename} to {self.client.url} failed: {last}")

    def matrix(self, layer: int, name: str = "coactivation", normalization: Optional[str] = None) -> np.ndarray:
        """A layer's matrix or vector, exact little-endian float64 (`x-matrix-shape`)."""
        return self._matrix(layer, name, normalization)[0]

    def _matrix(self, layer: int, name: str, normalization: Optional[str] = None) -> Tuple[np.ndarray, int]:
        try:
            status, headers, data = self.client.request("GET", f"/api/runs/{self.id}/layers/{int(layer)}/matrix", query={"name": name, "normalization": normalization},
                                                        headers={"accept": "application/octet-stream"})
        except _RETRYABLE as e:
            raise AtlasError(0, "unreachable", f"cannot reach {self.client.url} ({e})") from e
        if status != 200:
            raise _error_from(status, data)
        shape = tuple(int(x) for x in headers.get("x-matrix-shape", str(len(data) // 8)).split(","))
        return np.frombuffer(data, "<f8").reshape(shape).copy(), int(headers.get("x-matrix-tokens", "0"))

    def expert_tokens(self, expert: int, layer: int, by: str = "count", limit: int = 25, min_support: Optional[int] = None) -> dict:
        """An expert's top tokens at a layer (by "count" or "lift"), example contexts, the same per label, EVTC."""
        q = {"layer": int(layer), "by": by, "limit": int(limit)}
        if min_support is not None:
            q["minSupport"] = int(min_support)
        return self.client._json("GET", f"/api/runs/{self.id}/experts/{int(expert)}/tokens", query=q)

    def layer_tokens(self, layer: int, limit: int = 25) -> dict:
        """Token specialization (A13) and EVTC per expert of a layer, and its most frequent tokens."""
        return self.client._json("GET", f"/api/runs/{self.id}/layers/{int(layer)}/tokens", query={"limit": int(limit)})

    def search_tokens(self, q: str) -> dict:
        """A token by text or "#id": per layer, its occurrences over experts and how consistently it is routed."""
        return self.client._json("GET", f"/api/runs/{self.id}/tokens", query={"q": q})

    def sequence(self, seq: int, start: int = 0, limit: int = 512) -> dict:
        """One sequence's tokens with their route (k experts and weights per layer)."""
        return self.client._json("GET", f"/api/runs/{self.id}/sequences/{int(seq)}", query={"from": int(start), "limit": int(limit)})

    def set_vocabulary(self, vocab: Union[str, os.PathLike, list, Mapping[str, Any]]) -> dict:
        """Attach a vocabulary: a tokenizer.json path or dict, or a list of token strings (index = id)."""
        if isinstance(vocab, (str, os.PathLike)):
            with open(vocab, "rb") as f:
                vocab = f.read()
        return self.client._json("PUT", f"/api/runs/{self.id}/vocabulary", body=vocab)
    def plan(self, slots: int, gpus: int, nodes: Optional[int] = None, groups: Optional[int] = None,
             strategy: str = "optimized", window: Optional[int] = None, window_index: Optional[int] = None,
             max_load_ratio: Optional[float] = None, cost: Optional[Mapping[str, Any]] = None,
             export: Optional[str] = None, layer_offset: Optional[int] = None) -> dict:
        """A serving plan with redundant experts (POST /api/runs/{id}/plan): "eplb" or "optimized" per layer
        (phy2log, log2phy, logcnt, gpuLoad, balancedness, ctGpu, ctNode, ...); with `export` ("sglang", "vllm",
        "trtllm") the engine's file is in plan["file"]["content"]. `window` tokens: plan on window `window_index`
        (default 0), evaluate on the next."""
        body: Dict[str, Any] = {"slots": slots, "gpus": gpus, "strategy": strategy}
        for key, value in (("nodes", nodes), ("groups", groups), ("maxLoadRatio", max_load_ratio), ("cost", cost),
                           ("export", export), ("layerOffset", layer_offset)):
            if value is not None:
                body[key] = value
        if window is not None:
            body["window"] = {"tokens": window, **({"index": window_index} if window_index is not None else {})}
        return self.client._json("POST", f"/api/runs/{self.id}/plan", body)

    def layer(self, layer: int) -> LayerData:
        """MoE layer `layer` (from 0) as numpy: tokens, load, weightSum, coactivation, transitions."""
        try:
            transitions = self.matrix(layer, "transitions")
        except AtlasError as e:
            if e.status not in (404, 422) and e.code != "no_transitions":
                raise
            transitions = None
        load, tokens = self._matrix(layer, "load")
        return LayerData(layer, tokens, load, self.matrix(layer, "weightSum"), self.matrix(layer, "coactivation"), transitions)
