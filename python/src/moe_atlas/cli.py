"""`python -m moe_atlas upload ...` (mirrors the npm CLI's ingest) and `python -m moe_atlas convert ...`."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import List, Optional

from .errors import AtlasError

TRACE_EXT = (".jsonl", ".ndjson", ".npy", ".npz", ".safetensors", ".json")


def _collect(inputs: List[str]) -> List[str]:
    files: List[str] = []
    for p in inputs:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                files += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith(TRACE_EXT)]
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise AtlasError(0, "not_found", f"{p}: no such file or folder", p)
    if not files:
        raise AtlasError(0, "empty_trace", f"no trace files in {', '.join(inputs)}")
    return files


def _not_aggregate(path: str) -> Optional[str]:
    """Why a .json file is skipped, or None (as the npm CLI: folders hold JSON documents of all
    kinds, and only aggregates, or JSONL under a .json name, are traces)."""
    if not path.lower().endswith(".json"):
        return None
    with open(path, "rb") as f:
        head = f.read(65536).decode("utf8", "replace")
    if re.search(r'"format"\s*:\s*"moe-atlas\.aggregate\.v1"', head):
        return None
    try:
        first = json.loads(head.lstrip().split("\n", 1)[0])
        if isinstance(first, dict) and any(k in first for k in ("experts", "expert_ids", "topk_ids", "selected_experts")):
            return None
    except ValueError:
        pass
    return 'a JSON document that is not a moe-atlas.aggregate.v1 aggregate nor one routing event per line; pass --format to upload it anyway'


def _upload(a) -> int:
    from .client import Client

    client = Client(a.url, a.token)
    if a.new and a.run:
        raise AtlasError(0, "invalid_request", "give --run or --new, not both")
    if a.new:
        if not a.model or not a.name:
            raise AtlasError(0, "invalid_request", "--new needs --model <preset> and --name <name>")
        run = client.create_run(a.name, preset=a.model, tags=a.tag or None)
        print(f"created run {run.id} ({a.name}, {a.model}): {run.url}")
    elif a.run:
        run = client.run(a.run)
    else:
        raise AtlasError(0, "invalid_request", "which run? --run <id>, or --new --model <preset> --name <name>")
    files = _collect(a.files)
    events = failed = dup = skipped = 0
    for f in files:
        why = None if a.format else _not_aggregate(f)
        if why:
            skipped += 1
            print(f"{f}: skipped: {why}")
            continue
        try:
            r = run.upload(f, format=a.format, label=a.label, map=a.map, exclude_warmup=a.exclude_warmup, progress=not a.quiet)
        except AtlasError as e:
            if e.status == 0:
                raise
            failed += 1
            print(f"{f}: refused, nothing stored: {e}", file=sys.stderr)
            continue
        if r["duplicate"]:
            dup += 1
            print(f"{f}: already ingested, not counted again")
            continue
        events += r["events"]
        print(f"{f}: {r['events']} events, {r['tokens']} tokens, format {r.get('format')}")
        for w in r.get("warnings", []):
            print(f"  warning: {w['message']}" + (f" (first at {w['where']})" if w.get("where") else ""))
    print(f"done: {len(files) - failed - dup - skipped} file(s) ingested, {dup} already there, {skipped} skipped, {failed} refused; {events} events. {run.url}")
    return 1 if failed else 0


def _convert(a) -> int:
    from . import convert

    outputs = convert.convert(a.kind, a.inputs, a.output, out_format=a.to, start=a.iter_start, end=a.iter_end)
    for o in outputs:
        print(o)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m moe_atlas", description="MoE Atlas Python helper")
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("upload", help="upload trace files or folders to a run (as the npm CLI's ingest)")
    u.add_argument("files", nargs="+")
    u.add_argument("--url", help="server (MOE_ATLAS_URL, default http://127.0.0.1:3000)")
    u.add_argument("--token", help="API token (MOE_ATLAS_TOKEN)")
    u.add_argument("--run")
    u.add_argument("--new", action="store_true")
    u.add_argument("--model", help="preset id for --new, e.g. mixtral-8x7b")
    u.add_argument("--name")
    u.add_argument("--tag", action="append")
    u.add_argument("--format", help="auto|jsonl|npy|npz|safetensors|aggregate")
    u.add_argument("--map", help="e.g. experts:topk_ids,weights:probs")
    u.add_argument("--label")
    u.add_argument("--exclude-warmup", action="store_true")
    u.add_argument("--quiet", action="store_true", help="no progress bar")
    u.set_defaults(fn=_upload)
    c = sub.add_parser("convert", help="convert engine dumps (sglang, sglang-csv, trtllm, vllm) to the server's formats")
    c.add_argument("kind", choices=["sglang", "sglang-csv", "trtllm", "vllm"])
    c.add_argument("inputs", nargs="+")
    c.add_argument("-o", "--output", required=True, help="output file, or folder when there are several outputs")
    c.add_argument("--to", choices=["npz", "safetensors", "aggregate"], help="output format (default: events as .npz where the dump has tokens, else aggregate)")
    c.add_argument("--iter-start", type=int, help="trtllm: first iteration (inclusive)")
    c.add_argument("--iter-end", type=int, help="trtllm: last iteration (inclusive)")
    c.set_defaults(fn=_convert)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    a = parser().parse_args(argv)
    try:
        return a.fn(a)
    except AtlasError as e:
        print(f"moe_atlas: {e}", file=sys.stderr)
        return 2
