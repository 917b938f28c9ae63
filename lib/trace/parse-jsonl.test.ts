import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { decodeChunk, encodeChunk } from "./encode-chunk";
import type { EventBatch } from "./event-batch";
import { parseFieldMap } from "./field-map";
import { Dictionary, type ParseContext } from "./parse-context";
import { parseJsonl } from "./parse-jsonl";
import { splitLines } from "./split-lines";
import { WarningCollector } from "./warnings";

const model = { layers: 4, experts: 8, topK: 2, renormalize: true };
const ctx = (over: Partial<ParseContext> = {}): ParseContext => ({
  model,
  fields: parseFieldMap(null),
  labels: new Dictionary(100, "labels"),
  defaultLabel: -1,
  warnings: new WarningCollector(),
  batchSize: 3,
  ...over,
});

/** Splits bytes at the given offsets, as a network might deliver them. */
async function* pieces(bytes: Uint8Array, cuts: number[]) {
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.subarray(at, c);
    at = c;
  }
}

async function collect(text: string, c = ctx(), cuts: number[] = []) {
  const out: EventBatch[] = [];
  for await (const b of parseJsonl(pieces(new TextEncoder().encode(text), cuts), c)) out.push(b);
  return out;
}

describe("splitLines", () => {
  it("keeps exact byte offsets across chunk boundaries and multi-byte characters", async () => {
    const text = '{"label":"é"}\n{"a":1}\r\nlast';
    const bytes = new TextEncoder().encode(text);
    const lines = [];
    // Cut inside the two-byte "é" and inside the CRLF.
    for await (const group of splitLines(pieces(bytes, [11, 17]))) lines.push(...group);
    expect(lines.map((l) => [l.number, l.offset])).toEqual([
      [1, 0],
      [2, 15],
      [3, 24],
    ]);
    expect(lines[0].text).toBe('{"label":"é"}');
    expect(lines[2].text).toBe("last");
  });

  it("reports invalid UTF-8 with its line and byte", async () => {
    const bytes = new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0x0a]);
    const run = async () => {
      for await (const _ of splitLines(pieces(bytes, []))) void _;
    };
    await expect(run()).rejects.toMatchObject({ code: "invalid_utf8", where: "line 2, byte 3" });
  });
});

describe("parseJsonl", () => {
  it("reads events in batches, padding short top-k lists with -1", async () => {
    const text = [
      '{"layer": 0, "experts": [5, 2], "gating_probs": [0.75, 0.25], "token_pos": 0, "problem_id": 7, "dataset": "code"}',
      '{"layer": 1, "experts": [3, -1], "gating_probs": [1, 0], "token_pos": 0, "problem_id": 7}',
      '{"layer": 0, "experts": [1, 0], "gating_probs": [0.5, 0.5], "token_pos": 1, "problem_id": 7}',
      '{"layer": 0, "experts": [4], "gating_probs": [1], "token_pos": 2, "problem_id": "req-a"}',
    ].join("\n");
    const batches = await collect(text + "\n" + text.split("\n")[0], ctx({ batchSize: 4 }));
    expect(batches.map((b) => b.count)).toEqual([4, 1]);
    const [b] = batches;
    expect(Array.from(b.layer)).toEqual([0, 1, 0, 0]);
    expect(Array.from(b.experts)).toEqual([5, 2, 3, -1, 1, 0, 4, -1]);
    expect(Array.from(b.weights!).slice(0, 6)).toEqual([0.75, 0.25, 1, 0, 0.5, 0.5]);
    expect(Array.from(b.seq)).toEqual([7, 7, 7, 0]);
    expect(Array.from(b.label)).toEqual([0, -1, -1, -1]);
  });

  it("warns about repeated positions and un-normalized weights, and still counts every line", async () => {
    const c = ctx();
    const line = (pos: number, w = "[0.5, 0.5]") =>
      `{"layer": 2, "experts": [0, 1], "weights": ${w}, "token_pos": ${pos}}`;
    const batches = await collect([line(0), line(1), line(0), line(0), line(2, "[0.5, 0.4]")].join("\n"), c);
    expect(batches.reduce((s, b) => s + b.count, 0)).toBe(5);
    const w = Object.fromEntries(c.warnings.list().map((x) => [x.code, x]));
    expect(w.repeated_positions).toMatchObject({ count: 2, where: "line 3 (byte 142)" });
    expect(w.weights_not_normalized.count).toBe(1);
  });

  it("reads one token per line ([L][k] experts) as one event per layer", async () => {
    const line =
      '{"seq": 1, "position": 4, "experts": [[0, 1], [2, 3], [4, 5], [6, 7]], "weights": [[0.5, 0.5], [0.6, 0.4], [0.7, 0.3], [0.9, 0.1]], "logits": [[1,1,1,1,1,1,1,1],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[2,2,2,2,2,2,2,2]]}';
    const batches = await collect(line, ctx({ batchSize: 16 }), [37, 90]);
    const [b] = batches;
    expect(b.count).toBe(4);
    expect(Array.from(b.layer)).toEqual([0, 1, 2, 3]);
    expect(Array.from(b.experts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.logits!.length).toBe(32);
    expect(b.logits![31]).toBe(2);
    expect(Array.from(b.pos)).toEqual([4, 4, 4, 4]);
  });

  it("names the line and field of a bad value in a per-token line", async () => {
    const line = '{"experts": [[0, 1], [2, 2], [4, 5], [6, 7]]}';
    const err = await collect(`\n${line}`).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "duplicate_expert", where: "line 2 (byte 1), layer 1" });
  });
});

describe("parseJsonl: engine logs with records that are not events", () => {
  const route = (layer: number, pos: number) =>
    `{"type": "route", "layer": ${layer}, "experts": [1, 2], "weights": [0.6, 0.4], "token_pos": ${pos}}`;
  const events = (batches: EventBatch[]) => batches.reduce((s, b) => s + b.count, 0);

  it("skips a metadata first line and records typed as something else, with warnings naming where", async () => {
    const c = ctx();
    const meta =
      '{"type": "meta", "model": "mistralai/Mixtral-8x7B-Instruct-v0.1", "num_experts": 8, "top_k": 2, "num_layers": 4}';
    const stats = '{"type": "request_finished", "request_id": 3, "latency_ms": 12}';
    const text = [meta, route(0, 0), route(1, 0), stats, route(0, 1)].join("\n");
    expect(events(await collect(text, c))).toBe(3);
    const w = Object.fromEntries(c.warnings.list().map((x) => [x.code, x]));
    expect(w.metadata_lines).toMatchObject({ count: 1, where: "line 1 (byte 0)" });
    expect(w.non_event_lines.count).toBe(1);
    expect(w.non_event_lines.where).toMatch(/^line 4 /);
    expect(w.non_event_lines.message).toContain('type "request_finished"');
  });

  it("takes an untyped first line without experts for metadata, but not a later one", async () => {
    const header = '{"model": "Mixtral", "experts_logged": "top-2", "num_experts": 8}';
    expect(events(await collect([header, route(0, 0)].join("\n")))).toBe(1);
    const err = await collect([route(0, 0), '{"layer": 1, "token_pos": 1}'].join("\n")).catch((e) => e);
    expect(err).toMatchObject({ code: "missing_field" });
    expect(err.where).toMatch(/^line 2 /);
  });

  it("refuses a log whose metadata states another model's shape, naming the field", async () => {
    for (const [field, value] of [
      ["num_experts", 64],
      ["top_k", 8],
      ["num_layers", 32],
    ] as const) {
      const err = await collect(
        [`{"type": "meta", "${field}": ${value}}`, route(0, 0)].join("\n"),
        ctx({ model: { ...model, name: "Mixtral-8x7B" } }),
      ).catch((e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: "metadata_mismatch", where: `line 1, field ${field}` });
      expect(err.message).toContain("Mixtral-8x7B");
    }
    // Nested config and a hidden-layer count that includes dense layers are read too.
    const nested = await collect(
      ['{"type": "header", "config": {"n_routed_experts": 16}}', route(0, 0)].join("\n"),
    ).catch((e) => e);
    expect(nested).toMatchObject({ code: "metadata_mismatch", where: "line 1, field n_routed_experts" });
    expect(events(await collect(['{"type": "meta", "num_hidden_layers": 6}', route(0, 0)].join("\n")))).toBe(1);
  });

  it("warns when the metadata names a model that shares nothing with the run's", async () => {
    const c = ctx({ model: { ...model, name: "Mixtral-8x7B" } });
    await collect(['{"type": "meta", "model": "Qwen/Qwen3-30B-A3B"}', route(0, 0)].join("\n"), c);
    expect(c.warnings.list().map((w) => w.code)).toContain("metadata_model_name");
    const same = ctx({ model: { ...model, name: "Mixtral-8x7B" } });
    await collect(['{"type": "meta", "model": "mistralai/Mixtral-8x7B-Instruct-v0.1"}', route(0, 0)].join("\n"), same);
    expect(same.warnings.list().map((w) => w.code)).not.toContain("metadata_model_name");
  });

  it("says a metadata-only upload holds no events, and that a pretty-printed JSON document is not JSONL", async () => {
    const only = await collect('{"type": "meta", "num_experts": 8}\n').catch((e) => e);
    expect(only).toMatchObject({ code: "empty_trace" });
    expect(only.message).toContain("no routing events");
    const doc = await collect('{\n  "expert_usage_by_layer": {}\n}\n').catch((e) => e);
    expect(doc).toMatchObject({ code: "malformed_json" });
    expect(doc.message).toContain("JSON document spread over several lines");
  });
});

describe("chunk encoding", () => {
  it("round-trips a batch, with narrow ids for <= 255 experts and wide ids beyond", async () => {
    for (const experts of [8, 256]) {
      const m = { ...model, experts };
      const [b] = await collect(
        '{"layer": 3, "experts": [7, -1], "weights": [1, 0], "token_id": 42, "label": "x"}\n',
        ctx({ model: m }),
      );
      const enc = encodeChunk(b, 4, experts);
      expect(enc.experts.byteLength).toBe(experts > 255 ? 4 : 2);
      const dec = decodeChunk(enc, 4, experts);
      expect(Array.from(dec.experts)).toEqual([7, -1]);
      expect(Array.from(dec.layer)).toEqual([3]);
      expect(Array.from(dec.tokenId)).toEqual([42]);
      expect(Array.from(dec.label)).toEqual([0]);
      expect(Array.from(dec.weights!)).toEqual([1, 0]);
    }
  });
});
