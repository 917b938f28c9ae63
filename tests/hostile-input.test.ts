import zlib from "node:zlib";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventChunks, uploads } from "@/lib/db/schema";
import { float32, int64, npy, safetensors, zip } from "./support/binary-writers";
import { callRoute, postJson, useRouteDatabase } from "./support/route-calls";

const tiny = { name: "tiny", layers: 2, experts: 4, topK: 2 };
const NUL = "\u0000";

/** Valid arrays of 3 tokens, 2 layers, top-2 over 4 experts. */
const ids = npy("<i8", [3, 2, 2], int64([0, 1, 2, 3, 1, 2, 0, 3, 3, 0, 1, 2]));
const weights = (w = 0.5) => npy("<f4", [3, 2, 2], float32(Array(12).fill(w)));

describe("hostile uploads are refused with their place, and nothing of them is stored", () => {
  const t = useRouteDatabase("pglite");

  async function freshRun(name = "target") {
    const runs = await import("@/app/api/runs/route");
    return (await callRoute(runs.POST, "/api/runs", postJson({ name, model: tiny }))).body.id as string;
  }
  async function upload(runId: string, body: Uint8Array | string, query = "", headers: Record<string, string> = {}) {
    const traces = await import("@/app/api/runs/[id]/traces/route");
    return callRoute(traces.POST, `/api/runs/${runId}/traces${query}`, {
      method: "POST",
      params: { id: runId },
      body: typeof body === "string" ? body : Buffer.from(body),
      headers,
    });
  }
  async function storedFor(runId: string) {
    return (
      (await t.db.select().from(uploads).where(eq(uploads.runId, runId))).length +
      (await t.db.select().from(eventChunks).where(eq(eventChunks.runId, runId))).length
    );
  }

  const aggregate = (layers: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ format: "moe-atlas.aggregate.v1", layers, ...extra });
  const cases: {
    name: string;
    body: () => Uint8Array | string;
    query?: string;
    headers?: Record<string, string>;
    status?: number;
    code: string;
    where: RegExp;
  }[] = [
    // NUL characters, which Postgres text cannot hold
    {
      name: "NUL in a JSONL label",
      body: () => `{"layer": 0, "experts": [0, 1]}\n{"layer": 0, "experts": [0, 1], "label": "co\\u0000de"}\n`,
      code: "nul_character",
      where: /line 2/,
    },
    {
      name: "NUL in the label query parameter",
      body: () => `{"layer": 0, "experts": [0, 1]}\n`,
      query: `?label=a%00b`,
      code: "nul_character",
      where: /^query parameter label$/,
    },
    {
      name: "NUL in the file name parameter",
      body: () => `{"layer": 0, "experts": [0, 1]}\n`,
      query: "?filename=a%00.jsonl",
      code: "nul_character",
      where: /^query parameter filename$/,
    },
    {
      name: "NUL in an aggregate shard name",
      body: () => aggregate([{ layer: 0, load: [1, 1, 0, 0] }], { shard: `r${NUL}1` }),
      code: "nul_character",
      where: /^shard$/,
    },
    {
      name: "NUL in an aggregate label",
      body: () => aggregate([{ layer: 0, load: [1, 1, 0, 0], labels: { [`c${NUL}`]: [1, 1, 0, 0] } }]),
      code: "nul_character",
      where: /labels/,
    },
    {
      name: "safetensors label_names as a list",
      body: () =>
        safetensors(
          { expert_ids: { dtype: "I64", shape: [3, 2, 2], data: int64([0, 1, 2, 3, 1, 2, 0, 3, 3, 0, 1, 2]) } },
          { label_names: ["code", "math"] },
        ),
      code: "invalid_field",
      where: /label_names/,
    },
    // Counts that are not counts
    {
      name: "an aggregate load beyond 2^53",
      body: () => aggregate([{ layer: 0, load: [2 ** 60, 0, 0, 0] }]),
      code: "count_too_large",
      where: /layers\[0\].*load\[0\]/,
    },
    {
      name: "aggregate tokens beyond 2^53",
      body: () => aggregate([{ layer: 0, tokens: 2 ** 60, load: [1, 1, 0, 0] }]),
      code: "count_too_large",
      where: /tokens/,
    },
    {
      name: "co-activation above a load",
      body: () =>
        aggregate([
          {
            layer: 0,
            load: [5, 2, 0, 0],
            coactivation: [
              [0, 3, 0, 0],
              [3, 0, 0, 0],
              [0, 0, 0, 0],
              [0, 0, 0, 0],
            ],
          },
        ]),
      code: "coactivation_exceeds_load",
      where: /coactivation\[0\]\[1\]/,
    },
    {
      name: "label counts above the load",
      body: () => aggregate([{ layer: 0, load: [2, 2, 0, 0], labels: { code: [2, 1, 0, 0], math: [1, 1, 0, 0] } }]),
      code: "label_exceeds_load",
      where: /labels\.math\[0\]/,
    },
    {
      name: "a shard name that is not a string",
      body: () => aggregate([{ layer: 0, load: [1, 1, 0, 0] }], { shard: 3 }),
      code: "invalid_field",
      where: /^shard$/,
    },
    {
      name: "an aggregate that counts nothing",
      body: () => aggregate([{ layer: 0, load: [0, 0, 0, 0] }]),
      code: "empty_trace",
      where: /layers/,
    },
    // Tampered or malformed archives
    {
      name: "a stored .npz member with a wrong CRC-32",
      body: () => zip([{ name: "expert_ids.npy", data: ids, crc: 0x1234 }]),
      code: "crc_mismatch",
      where: /expert_ids/,
    },
    {
      name: "a deflated .npz member altered after compression",
      body: () => {
        return zip([{ name: "expert_ids.npy", data: ids, deflate: true, crc: (zlib.crc32(ids) ^ 1) >>> 0 }]);
      },
      code: "crc_mismatch",
      where: /expert_ids/,
    },
    {
      name: "safetensors tensors that overlap",
      body: () =>
        safetensors(
          {
            expert_ids: { dtype: "I64", shape: [3, 2, 2], data: int64([0, 1, 2, 3, 1, 2, 0, 3, 3, 0, 1, 2]) },
            weights: { dtype: "F32", shape: [3, 2, 2], data: float32(Array(12).fill(0.5)), offsets: [48, 96] },
          },
          undefined,
          new Uint8Array(96),
        ),
      code: "overlapping_tensors",
      where: /weights/,
    },
    {
      name: "safetensors data with a hole",
      body: () =>
        safetensors(
          {
            expert_ids: {
              dtype: "I64",
              shape: [3, 2, 2],
              data: int64([0, 1, 2, 3, 1, 2, 0, 3, 3, 0, 1, 2]),
              offsets: [8, 104],
            },
          },
          undefined,
          new Uint8Array(104),
        ),
      code: "tensor_gap",
      where: /expert_ids/,
    },
    // Values
    {
      name: "a negative gate weight in JSONL",
      body: () => `{"layer": 0, "experts": [0, 1], "weights": [0.7, -0.3]}\n`,
      code: "negative_weight",
      where: /line 1/,
    },
    {
      name: "a negative gate weight in .npz",
      body: () =>
        zip([
          { name: "expert_ids.npy", data: ids },
          { name: "weights.npy", data: weights(-0.5) },
        ]),
      code: "negative_weight",
      where: /weights.*token 0, layer 0, slot 0/,
    },
    {
      name: "an array of no tokens",
      body: () => npy("<i8", [0, 2, 2], new Uint8Array(0)),
      code: "empty_trace",
      where: /arrays/,
    },
    {
      name: "JSONL of blank lines only",
      body: () => "\n\n\n",
      query: "?format=jsonl",
      code: "empty_trace",
      where: /byte 0/,
    },
  ];

  it.each(cases)("$name", async (c) => {
    const runId = await freshRun();
    const res = await upload(runId, c.body(), c.query ?? "", c.headers);
    expect(res.status, JSON.stringify(res.body)).toBe(c.status ?? 400);
    expect(res.body.error.code).toBe(c.code);
    expect(res.body.error.where).toMatch(c.where);
    expect(await storedFor(runId)).toBe(0);
  });

  it("accepts the same files when they are sound (the checks refuse only what is wrong)", async () => {
    const runId = await freshRun();
    expect(
      (
        await upload(
          runId,
          zip([
            { name: "expert_ids.npy", data: ids, deflate: true },
            { name: "weights.npy", data: weights() },
          ]),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await upload(
          runId,
          aggregate([
            {
              layer: 0,
              load: [5, 2, 0, 3],
              coactivation: [
                [0, 2, 0, 3],
                [2, 0, 0, 0],
                [0, 0, 0, 0],
                [3, 0, 0, 0],
              ],
              labels: { code: [2, 1, 0, 1], math: [3, 1, 0, 2] },
            },
          ]),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await upload(
          runId,
          safetensors(
            { expert_ids: { dtype: "I64", shape: [3, 2, 2], data: int64([0, 1, 2, 3, 1, 2, 0, 3, 3, 0, 1, 2]) } },
            { label_names: '["a"]' },
          ),
        )
      ).status,
    ).toBe(200);
  });

  it("refuses NUL characters in run fields and ids with the field, not a 500", async () => {
    const runs = await import("@/app/api/runs/route");
    const one = await import("@/app/api/runs/[id]/route");
    for (const [body, where] of [
      [{ name: `a${NUL}b`, model: tiny }, "body.name"],
      [{ name: "ok", model: tiny, tags: ["x", `y${NUL}`] }, "body.tags[1]"],
      [{ name: "ok", model: tiny, description: NUL }, "body.description"],
      [{ name: "ok", model: { ...tiny, name: `m${NUL}` } }, "body.model.name"],
    ] as const) {
      const res = await callRoute(runs.POST, "/api/runs", postJson(body));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "nul_character", where });
    }
    const res = await callRoute(one.GET, "/api/runs/x", { params: { id: `ab${NUL}` } });
    expect(res.body.error).toMatchObject({ code: "nul_character", where: "path parameter id" });
    const list = await callRoute(runs.GET, `/api/runs?q=${encodeURIComponent(NUL)}`);
    expect(list.body.error).toMatchObject({ code: "nul_character", where: "query parameter q" });
  });

  it("refuses an over-long line as soon as it passes the limit, without reading the rest", async () => {
    const runId = await freshRun();
    const traces = await import("@/app/api/runs/[id]/traces/route");
    let pulled = 0;
    const chunk = new Uint8Array(1 << 20).fill(0x20);
    chunk.set(Buffer.from('{"layer": 0, "experts": [0, 1], "pad": "'));
    // 100 MB of one line, offered as a stream that counts what the server takes from it.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 100 << 20) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk.slice());
      },
    });
    const res = await traces.POST(
      new Request(`http://atlas.test/api/runs/${runId}/traces`, {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({ id: runId }) },
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: "line_too_long", where: "line 1, byte 0" });
    // The limit is 4 MiB: the stream was read a few chunks past it, not to its end.
    expect(pulled).toBeLessThanOrEqual(8 << 20);
    expect(await storedFor(runId)).toBe(0);
  });

  it("reads an aggregate document larger than a JavaScript string can be (under the documented 1 GiB cap)", async () => {
    const runId = await freshRun();
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const doc = aggregate([{ layer: 0, load: [1, 1, 0, 0] }], { pad: "PAD" });
    const [head, tail] = doc.split('"PAD"');
    const gap = new Uint8Array(1 << 20).fill(0x20);
    const zero = Buffer.from("0,");
    let sent = 0;
    // 530 MiB: an extra field holding 530 numbers 1 MiB of whitespace apart (JSON allows it), past
    // V8's 512 MiB string limit.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent === 1) controller.enqueue(Buffer.from(`${head}[`));
        else if (sent <= 1061) controller.enqueue(sent % 2 ? gap : zero);
        else {
          controller.enqueue(Buffer.from(`0]${tail}`));
          controller.close();
        }
      },
    });
    const res = await traces.POST(
      new Request(`http://atlas.test/api/runs/${runId}/traces`, {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({ id: runId }) },
    );
    const out = await res.json();
    expect(res.status, JSON.stringify(out)).toBe(200);
    expect(out).toMatchObject({ format: "aggregate", tokens: 1 });
  }, 60_000);
});
