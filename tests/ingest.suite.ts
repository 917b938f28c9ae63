import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "@/lib/api/handler";
import { ApiError, DomainError } from "@/lib/errors";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { decodeChunk } from "@/lib/trace/encode-chunk";
import { createRunFromBody } from "@/lib/runs/create-run";
import { chunked, snapshotRun } from "./support/snapshot-run";
import { sharedFile } from "./support/shared-data";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

/** An independent count of the real JSONL: a plain loop over lines, nothing shared with lib/. */
function countByHand(text: string, layers: number, experts: number) {
  const load = Array.from({ length: layers }, () => new Array(experts).fill(0));
  const co = Array.from({ length: layers }, () => Array.from({ length: experts }, () => new Array(experts).fill(0)));
  const tokens = new Array(layers).fill(0);
  let events = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    events++;
    tokens[e.layer]++;
    for (const x of e.experts) load[e.layer][x]++;
    for (const x of e.experts) for (const y of e.experts) if (x !== y) co[e.layer][x][y]++;
  }
  return { load, co, tokens, events };
}

export function defineIngestSuite(kind: "postgres" | "pglite") {
  describe(`ingestion on ${kind}`, () => {
    let t: TestDb;
    const realPath = sharedFile("real/mixtral-humaneval-routing.jsonl");
    const real = fs.readFileSync(realPath);

    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(async () => {
      await t?.drop();
    });

    const newRun = async (preset = "mixtral-8x7b") =>
      createRunFromBody(t.db, { name: `test ${kind}`, model: { preset } });
    const upload = (run: RunWithModel, bytes: Uint8Array | string, opts = {}) =>
      ingestUpload(t.db, run, chunked(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes), opts);
    async function expectRejected(
      run: RunWithModel,
      bytes: Uint8Array | string,
      status: number,
      code: string,
      where?: RegExp,
    ) {
      const before = await snapshotRun(t.db, run.id);
      const err = await upload(run, bytes).then(
        () => null,
        (e) => e,
      );
      expect(
        err instanceof DomainError || err instanceof ApiError,
        `the upload should have been refused with a stated error, not ${err}`,
      ).toBe(true);
      // Parsers throw domain errors without a status; the status is the edge's answer (errorResponse).
      expect(errorResponse(err).status).toBe(status);
      expect((err as DomainError | ApiError).code).toBe(code);
      if (where) expect((err as DomainError | ApiError).where).toMatch(where);
      expect(await snapshotRun(t.db, run.id)).toBe(before);
      return err as DomainError | ApiError;
    }

    it("counts the real Mixtral HumanEval trace exactly as an independent count does", async () => {
      const run = await newRun();
      const res = await upload(run, real, { fileName: "mixtral-humaneval-routing.jsonl" });
      const hand = countByHand(real.toString("utf8"), 32, 8);
      expect(res.events).toBe(6777);
      expect(res.events).toBe(hand.events);
      expect(res.warnings.map((w) => w.code)).toContain("repeated_positions");
      expect(res.labels).toEqual(["humaneval"]);
      for (let l = 0; l < 32; l++) {
        const agg = await getLayerAggregate(t.db, run.id, l, 8);
        expect(agg.tokens).toBe(hand.tokens[l]);
        expect(Array.from(agg.load)).toEqual(hand.load[l]);
        for (let i = 0; i < 8; i++)
          expect(Array.from(agg.coactivation.subarray(i * 8, i * 8 + 8))).toEqual(hand.co[l][i]);
      }
      const stored = await getRun(t.db, run.id);
      expect(stored?.events).toBe(6777);
      expect(stored?.labels).toEqual(["humaneval"]);
    });

    it("counts the real trace's transitions as tokens identified by hand: prompt by position, decode steps by order", async () => {
      const run = await newRun();
      await upload(run, real);
      const events = real
        .toString("utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { layer: number; token_pos: number; experts: number[] });
      const prompt = new Map<string, number[]>();
      const steps: Map<number, number[]>[] = [];
      let lastDecodeLayer = Infinity;
      for (const e of events) {
        const key = `${e.layer}:${e.token_pos}`;
        if (!prompt.has(key)) prompt.set(key, e.experts);
        else {
          if (e.layer <= lastDecodeLayer) steps.push(new Map());
          steps[steps.length - 1].set(e.layer, e.experts);
          lastDecodeLayer = e.layer;
        }
      }
      const want = Array.from({ length: 31 }, () => new Array(64).fill(0));
      const pair = (l: number, a?: number[], b?: number[]) =>
        a && b && a.forEach((i) => b.forEach((j) => want[l][i * 8 + j]++));
      for (let l = 0; l < 31; l++) {
        for (let pos = 0; pos < 400; pos++) pair(l, prompt.get(`${l}:${pos}`), prompt.get(`${l + 1}:${pos}`));
        for (const s of steps) pair(l, s.get(l), s.get(l + 1));
      }
      expect(steps.length).toBeGreaterThan(50);
      for (let l = 0; l < 31; l++) {
        const agg = await getLayerAggregate(t.db, run.id, l, 8, { transitions: true });
        expect(Array.from(agg.transitions!), `layer ${l}`).toEqual(want[l]);
      }
    });

    it("keeps the raw events: chunks read back to the uploaded ids, weights, positions and labels", async () => {
      const run = await newRun();
      await upload(run, real);
      const events = real
        .toString("utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const ids: number[] = [];
      const weights: number[] = [];
      const pos: number[] = [];
      const labels: string[] = [];
      for await (const chunk of runEventChunks(t.db, run.id, 1)) {
        const b = decodeChunk(chunk, 32, 8);
        ids.push(...b.experts);
        weights.push(...b.weights!);
        pos.push(...b.pos);
        // label names travel with each chunk (binary COPY writes them as a text[] on Postgres)
        labels.push(...Array.from(b.label, (l) => (l < 0 ? "" : chunk.labelNames[l])));
      }
      expect(ids).toEqual(events.flatMap((e) => e.experts));
      weights.forEach((w, i) => expect(w).toBeCloseTo(events[Math.floor(i / 2)].gating_probs[i % 2], 6));
      expect(pos).toEqual(events.map((e) => e.token_pos));
      expect(new Set(labels)).toEqual(new Set(["humaneval"]));
    });

    it("does not count the identical file twice", async () => {
      const run = await newRun();
      await upload(run, real);
      const err = await expectRejected(run, real, 409, "duplicate_upload");
      expect(err.message).toMatch(/already ingested/);
    });

    it("refuses a malformed first line and names it", async () => {
      const run = await newRun();
      const err = await expectRejected(
        run,
        `{"layer": 0, "experts": [1, 2]\n` + real.toString("utf8"),
        400,
        "malformed_json",
        /^line 1 \(byte 0\)$/,
      );
      expect(err.message).toMatch(/line 1 is not valid JSON/);
    });

    it("refuses a malformed last line after earlier data, leaving the run as it was", async () => {
      const run = await newRun();
      await upload(run, real);
      const text = real.toString("utf8").trimEnd().split("\n");
      const lastOffset = Buffer.byteLength(text.slice(0, -1).join("\n") + "\n");
      text[text.length - 1] = text[text.length - 1].slice(0, 40); // truncated mid-object
      const err = await expectRejected(
        run,
        text.join("\n"),
        400,
        "malformed_json",
        new RegExp(`^line ${text.length} \\(byte ${lastOffset}\\)$`),
      );
      expect(err.message).toContain(`line ${text.length}`);
    });

    const plain = `{"layer": 0, "experts": [0, 1]}`;
    const weighted = `{"layer": 0, "experts": [0, 1], "weights": [0.6, 0.4]}`;
    const withLogits = `{"layer": 0, "experts": [0, 1], "logits": [8, 7, 6, 5, 4, 3, 2, 1]}`;
    it.each([
      [
        "an expert id outside [0, E)",
        plain,
        `{"layer": 3, "experts": [1, 8]}`,
        "expert_out_of_range",
        /outside \[0, 8\)/,
      ],
      ["the same expert twice", plain, `{"layer": 3, "experts": [4, 4]}`, "duplicate_expert", /appears twice/],
      ["k larger than the model's", plain, `{"layer": 3, "experts": [1, 2, 3]}`, "k_too_large", /top-k is 2/],
      [
        "a non-finite weight",
        weighted,
        `{"layer": 3, "experts": [1, 2], "weights": [0.5, "NaN"]}`,
        "non_finite",
        /weights\[1\]/,
      ],
      [
        "a layer outside the model",
        plain,
        `{"layer": 32, "experts": [1, 2]}`,
        "layer_out_of_range",
        /outside \[0, 32\)/,
      ],
      [
        "weights that do not pair with experts",
        weighted,
        `{"layer": 0, "experts": [1, 2], "weights": [1]}`,
        "shape_mismatch",
        /1 weights for 2 experts/,
      ],
      [
        "logits of the wrong length",
        withLogits,
        `{"layer": 0, "experts": [1, 2], "logits": [0, 1, 2]}`,
        "shape_mismatch",
        /3 entries/,
      ],
      ["an event without weights among weighted ones", weighted, plain, "inconsistent_events", /without weights/],
      ["a line that is not an object", plain, `[1, 2]`, "malformed_event", /JSON object/],
      ["a line without experts", plain, `{"layer": 0, "foo": 1}`, "missing_field", /no experts field/],
    ])("refuses %s on line 3", async (_what, good, bad, code, message) => {
      const run = await newRun();
      const body = [good, good.replace("[0, 1]", "[2, 3]"), bad, good].join("\n") + "\n";
      const err = await expectRejected(run, body, 400, code, /^line 3 /);
      expect(err.message).toMatch(message);
    });

    it("refuses an unknown format and an empty body", async () => {
      const run = await newRun();
      await expectRejected(run, "hello world\n", 400, "unknown_format", /byte 0/);
      await expectRejected(run, "", 400, "empty_trace");
    });

    it("refuses an upload over the size limit", async () => {
      const run = await newRun();
      const prev = process.env.ATLAS_MAX_UPLOAD_BYTES;
      process.env.ATLAS_MAX_UPLOAD_BYTES = "100000";
      try {
        await expectRejected(run, real, 413, "upload_too_large");
      } finally {
        if (prev === undefined) delete process.env.ATLAS_MAX_UPLOAD_BYTES;
        else process.env.ATLAS_MAX_UPLOAD_BYTES = prev;
      }
    });

    it("counts concurrent uploads to one run exactly once each", async () => {
      const run = await newRun();
      const lines = real.toString("utf8").trimEnd().split("\n");
      const parts = [0, 1, 2, 3].map((p) => lines.filter((_, i) => i % 4 === p).join("\n") + "\n");
      const results = await Promise.all(parts.map((p) => upload(run, p)));
      expect(results.reduce((s, r) => s + r.events, 0)).toBe(6777);
      const hand = countByHand(real.toString("utf8"), 32, 8);
      for (const l of [0, 17, 31]) {
        const agg = await getLayerAggregate(t.db, run.id, l, 8);
        expect(Array.from(agg.load)).toEqual(hand.load[l]);
      }
      expect((await getRun(t.db, run.id))?.events).toBe(6777);
    });

    it("stores transitions between consecutive layers from per-token lines, and adds them up", async () => {
      const run = await createRunFromBody(t.db, {
        name: "tiny",
        model: { name: "Tiny", layers: 3, experts: 4, topK: 2, sharedExperts: 0, router: "softmax", renormalize: true },
      });
      const line = (a: number[], b: number[], c: number[]) => JSON.stringify({ experts: [a, b, c] });
      const body = [line([0, 1], [2, 3], [0, 2]), line([0, 2], [2, 1], [3, 1])].join("\n");
      await upload(run, body);
      await upload(run, body + "\n"); // different bytes, same tokens again: counted again
      const l0 = await getLayerAggregate(t.db, run.id, 0, 4, { transitions: true });
      // token 1: {0,1} -> {2,3}; token 2: {0,2} -> {2,1}; twice
      const T = Array.from(l0.transitions!);
      expect(T[0 * 4 + 2]).toBe(4);
      expect(T[0 * 4 + 3]).toBe(2);
      expect(T[0 * 4 + 1]).toBe(2);
      expect(T[1 * 4 + 2]).toBe(2);
      expect(T[2 * 4 + 2]).toBe(2);
      expect(T.reduce((s, x) => s + x, 0)).toBe(16);
      expect((await getLayerAggregate(t.db, run.id, 2, 4, { transitions: true })).transitions ?? null).toBeNull();
    });

    it("applies a field map and an upload-wide label", async () => {
      const run = await newRun();
      const res = await upload(run, `{"lyr": 2, "sel": [7, 1], "p": [0.5, 0.5]}\n`, {
        map: "layer:lyr,experts:sel,weights:p",
        label: "code",
      });
      expect(res.events).toBe(1);
      expect(res.labels).toEqual(["code"]);
      const agg = await getLayerAggregate(t.db, run.id, 2, 8);
      expect(agg.load[7]).toBe(1);
      expect(agg.weightSum[1]).toBeCloseTo(0.5);
    });
  });
}
