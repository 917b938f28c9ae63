"""The server's ingest formats (PRODUCT.md §3): event arrays as .npz / safetensors, and the
mergeable aggregate document moe-atlas.aggregate.v1, reduced here with numpy."""
from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from .errors import AtlasError

AGGREGATE_FORMAT = "moe-atlas.aggregate.v1"
EVENT_ARRAYS = ("expert_ids", "weights", "logits", "seq_ids", "positions", "token_ids", "labels")

_ST_DTYPES = {
    np.dtype("int8"): "I8", np.dtype("uint8"): "U8", np.dtype("int16"): "I16", np.dtype("uint16"): "U16",
    np.dtype("int32"): "I32", np.dtype("uint32"): "U32", np.dtype("int64"): "I64", np.dtype("uint64"): "U64",
    np.dtype("float16"): "F16", np.dtype("float32"): "F32", np.dtype("float64"): "F64",
}
_ST_BACK = {v: k for k, v in _ST_DTYPES.items()}


def _le(a: np.ndarray) -> np.ndarray:
    """C-ordered little-endian, as the server requires."""
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return a


def write_safetensors(path_or_file, arrays: Mapping[str, np.ndarray], metadata: Optional[Dict[str, str]] = None) -> None:
    """safetensors: an 8-byte little-endian header length, a JSON header (padded with spaces to a
    multiple of 8), then the tensors back to back with no gap (the server checks the tiling)."""
    header: Dict[str, object] = {}
    blobs: List[bytes] = []
    offset = 0
    for name, a in arrays.items():
        a = _le(np.asarray(a))
        if a.dtype not in _ST_DTYPES:
            raise AtlasError(0, "wrong_dtype", f"{name}: dtype {a.dtype} has no safetensors code", name)
        b = a.tobytes()
        header[name] = {"dtype": _ST_DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    own = isinstance(path_or_file, (str, os.PathLike))
    f = open(path_or_file, "wb") if own else path_or_file
    try:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    finally:
        if own:
            f.close()


def read_safetensors(path) -> (Dict[str, np.ndarray], Dict[str, str]):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[base + a : base + b], dtype=_ST_BACK[t["dtype"]]).reshape(t["shape"]).copy()
    return out, meta


def write_npz(path_or_file, arrays: Mapping[str, np.ndarray], label_names: Optional[Sequence[str]] = None, comment: Optional[str] = None) -> None:
    """An uncompressed .npz (what np.savez writes) with label_names as a string array (never an
    object array: the server does not unpickle). `comment` goes into the zip comment, which makes
    otherwise identical chunks distinct files."""
    own = isinstance(path_or_file, (str, os.PathLike))
    f = open(path_or_file, "wb") if own else path_or_file
    try:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
            items = dict(arrays)
            if label_names is not None:
                items["label_names"] = np.array([str(x) for x in label_names], dtype=str)
            for name, a in items.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, _le(np.asarray(a)), allow_pickle=False)
                z.writestr(name + ".npy", buf.getvalue())
            if comment:
                z.comment = comment.encode()[:65535]
    finally:
        if own:
            f.close()


def write_events(path, arrays: Mapping[str, np.ndarray], label_names: Optional[Sequence[str]] = None, fmt: Optional[str] = None, chunk_id: Optional[str] = None) -> str:
    """Writes event arrays (names of PRODUCT.md §3.3) as .npz or .safetensors (from `fmt` or the
    file name). `chunk_id` is stored in the file (safetensors metadata, zip comment): the server
    refuses identical bytes twice (409), so a chunk retried after a dropped connection is never
    counted twice, while two different chunks that happen to hold equal routing stay distinct."""
    path = str(path)
    fmt = fmt or ("safetensors" if path.endswith(".safetensors") else "npz")
    unknown = [k for k in arrays if k not in EVENT_ARRAYS]
    if unknown:
        raise AtlasError(0, "invalid_field", f"not event arrays: {', '.join(unknown)}", "arrays")
    if "expert_ids" not in arrays:
        raise AtlasError(0, "missing_array", "expert_ids is required", "arrays")
    if fmt == "safetensors":
        meta = {}
        if label_names is not None:
            meta["label_names"] = json.dumps([str(x) for x in label_names])
        if chunk_id:
            meta["moe_atlas_chunk"] = chunk_id
        write_safetensors(path, arrays, meta or None)
    elif fmt == "npz":
        write_npz(path, arrays, label_names, comment=f"moe-atlas chunk {chunk_id}" if chunk_id else None)
    else:
        raise AtlasError(0, "unknown_format", f"event files are npz or safetensors, not {fmt!r}", "format")
    return path


def read_events(path) -> (Dict[str, np.ndarray], Optional[List[str]]):
    """Reads back an .npz or .safetensors event file (tests and converters)."""
    path = str(path)
    if path.endswith(".safetensors"):
        arrays, meta = read_safetensors(path)
        names = meta.get("label_names")
        return arrays, (json.loads(names) if names else None)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    names = arrays.pop("label_names", None)
    return arrays, (None if names is None else [str(x) for x in names])


class Aggregator:
    """Reduces routing events to moe-atlas.aggregate.v1 sums on the spot: per MoE layer the token
    count, load[E], weightSum[E], coactivation[E][E] (tokens where both were selected; zero
    diagonal), load per label, and transitions[E][E] from layer l to l+1. All are sums, so shards
    from many ranks merge exactly by addition (PRODUCT.md §2). Counts are int64, exact."""

    def __init__(self, layers: int, experts: int, weights: bool = True):
        self.L, self.E = layers, experts
        self.tokens = np.zeros(layers, np.int64)
        self.load = np.zeros((layers, experts), np.int64)
        self.weight_sum = np.zeros((layers, experts), np.float64) if weights else None
        self.coactivation = np.zeros((layers, experts, experts), np.int64)
        self.transitions = np.zeros((max(layers - 1, 0), experts, experts), np.int64)
        self.label_load: Dict[str, np.ndarray] = {}

    def add(self, expert_ids, weights=None, labels=None, label_names: Optional[Sequence[str]] = None) -> None:
        """expert_ids int [T, L, k] (-1 = no expert), weights [T, L, k], labels int [T] indexing
        label_names (-1 = none)."""
        ids = np.asarray(expert_ids)
        T, L, k = ids.shape
        if L != self.L:
            raise AtlasError(0, "shape_mismatch", f"expert_ids has {L} layers, the aggregator {self.L}", "expert_ids")
        if T == 0:
            return
        E = self.E
        valid = ids >= 0
        if np.any(ids >= E):
            raise AtlasError(0, "expert_out_of_range", f"expert id {int(ids.max())} is outside [0, {E})", "expert_ids")
        # Multi-hot [T, L, E] as float32: products of 0/1 summed over T < 2^24 are exact.
        onehot = np.zeros((T * L, E), np.float32)
        rows = np.repeat(np.arange(T * L), k).reshape(T * L, k)
        v = valid.reshape(T * L, k)
        onehot[rows[v], ids.reshape(T * L, k)[v]] = 1.0
        onehot = onehot.reshape(T, L, E)
        # As the server counts events: every token recorded at a layer counts there, also one
        # whose slots are all -1 (a capacity drop still passed the layer).
        self.tokens += T
        self.load += onehot.sum(axis=0).astype(np.int64)
        if self.weight_sum is not None and weights is not None:
            w = np.where(valid, np.asarray(weights, np.float64), 0.0)
            for layer in range(L):
                self.weight_sum[layer] += np.bincount(ids[:, layer][valid[:, layer]], weights=w[:, layer][valid[:, layer]], minlength=E)
        chunk = 1 << 23  # keep every matmul sum below 2^24
        for s in range(0, T, chunk):
            m = onehot[s : s + chunk]
            for layer in range(L):
                c = (m[:, layer].T @ m[:, layer]).astype(np.int64)
                np.fill_diagonal(c, 0)
                self.coactivation[layer] += c
                if layer + 1 < L:
                    self.transitions[layer] += (m[:, layer].T @ m[:, layer + 1]).astype(np.int64)
        if labels is not None:
            lab = np.asarray(labels).reshape(T)
            names = list(label_names) if label_names is not None else None
            for li in np.unique(lab):
                if li < 0:
                    continue
                name = names[int(li)] if names is not None else str(int(li))
                acc = self.label_load.setdefault(name, np.zeros((L, E), np.int64))
                acc += onehot[lab == li].sum(axis=0).astype(np.int64)

    def merge(self, other: "Aggregator") -> None:
        self.tokens += other.tokens
        self.load += other.load
        if self.weight_sum is not None and other.weight_sum is not None:
            self.weight_sum += other.weight_sum
        self.coactivation += other.coactivation
        self.transitions += other.transitions
        for n, a in other.label_load.items():
            self.label_load.setdefault(n, np.zeros_like(a))
            self.label_load[n] += a

    def to_document(self, shard: Optional[str] = None, physical_to_logical=None, transitions: bool = True) -> dict:
        layers = []
        for l in range(self.L):
            d = {"layer": l, "tokens": int(self.tokens[l]), "load": self.load[l].tolist(), "coactivation": self.coactivation[l].tolist()}
            if self.weight_sum is not None:
                d["weightSum"] = self.weight_sum[l].tolist()
            if self.label_load:
                d["labels"] = {n: a[l].tolist() for n, a in sorted(self.label_load.items())}
            if transitions and l + 1 < self.L:
                d["transitions"] = self.transitions[l].tolist()
            layers.append(d)
        doc = {"format": AGGREGATE_FORMAT}
        if shard:
            doc["shard"] = shard
        if physical_to_logical is not None:
            doc["physicalToLogical"] = [list(map(int, m)) for m in physical_to_logical]
        doc["layers"] = layers
        return doc


def aggregate_from_events(expert_ids, experts: int, weights=None, labels=None, label_names=None) -> Aggregator:
    ids = np.asarray(expert_ids)
    agg = Aggregator(ids.shape[1], experts, weights=weights is not None)
    agg.add(ids, weights, labels, label_names)
    return agg


def write_aggregate(path, doc: dict) -> str:
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return str(path)
