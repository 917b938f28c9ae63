import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { ingestTrace, type IngestResult } from "@/lib/trace/ingest-trace";
import { chunked } from "./support/snapshot-run";
import { runPython } from "./support/python";

interface Expected {
  tokens: number;
  load: number[][];
  weightSum: number[][];
  coactivation: number[][][];
  transitions: number[][][];
  labelLoad: Record<string, number[][]>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-binary-"));
let expected: { model: { layers: number; experts: number; topK: number }; files: Record<string, Expected> };

async function ingestFile(name: string, over: Partial<Parameters<typeof ingestTrace>[1]> = {}): Promise<IngestResult> {
  const bytes = fs.readFileSync(path.join(dir, name));
  const model = { ...expected.model, renormalize: true };
  return ingestTrace(chunked(bytes, 7777), { model, maxBytes: 1e9, batchSize: 1000, ...over }, async () => undefined);
}

const rows = (a: Float64Array, E: number) =>
  Array.from({ length: a.length / E }, (_, i) => Array.from(a.subarray(i * E, (i + 1) * E)));

beforeAll(() => {
  runPython(path.join(__dirname, "fixtures/write_binary_traces.py"), [dir]);
  expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8"));
});

describe("binary trace formats give numpy's aggregates", () => {
  const files = [
    "expert_ids.npy",
    "stored.npz",
    "compressed.npz",
    "weights-f16.safetensors",
    "weights-bf16.safetensors",
    "weights-f32.safetensors",
    "weights-f64.safetensors",
  ];
  it.each(files)("%s", async (name) => {
    const want = expected.files[name];
    const got = await ingestFile(name);
    const { layers: L, experts: E } = expected.model;
    expect(got.format).toBe(name.split(".").pop());
    expect(got.events).toBe(want.tokens * L);
    expect(got.tokens).toBe(want.tokens);
    expect(got.skippedSlots).toBeGreaterThan(0);
    for (let l = 0; l < L; l++) {
      expect(Array.from(got.layers[l].load)).toEqual(want.load[l]);
      expect(rows(got.layers[l].coactivation, E)).toEqual(want.coactivation[l]);
      if (name !== "expert_ids.npy") {
        // Gate weights are held as float32 (exact for 16-bit sources); sums agree to float32 precision.
        got.layers[l].weightSum.forEach((w, e) =>
          expect(Math.abs(w - want.weightSum[l][e])).toBeLessThanOrEqual(1e-6 * Math.max(1, want.weightSum[l][e])),
        );
      }
    }
    expect(got.transitions).not.toBeNull();
    for (let l = 0; l < L - 1; l++) expect(rows(got.transitions![l]!, E)).toEqual(want.transitions[l]);
    if (name !== "expert_ids.npy") {
      expect(got.labels).toEqual(["code", "math", "prose"]);
      got.labels.forEach((label, i) => expect(rows(got.labelLoads[i].load, E)).toEqual(want.labelLoad[label]));
    }
  });
});

describe("bad binary traces are refused with what and where", () => {
  const write = (name: string, bytes: Uint8Array) => fs.writeFileSync(path.join(dir, name), bytes);
  const refuse = async (name: string, code: string, where: RegExp, over = {}) => {
    const err = await ingestFile(name, over).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe(code);
    expect(err.where).toMatch(where);
    return err as DomainError;
  };

  it("a truncated .npy", async () => {
    const b = fs.readFileSync(path.join(dir, "expert_ids.npy"));
    write("cut.npy", b.subarray(0, b.length - 10));
    await refuse("cut.npy", "truncated", /expert_ids/);
  });

  it("a truncated .npz and safetensors", async () => {
    const z = fs.readFileSync(path.join(dir, "stored.npz"));
    write("cut.npz", z.subarray(0, z.length - 100));
    await refuse("cut.npz", "truncated", /zip archive/);
    const s = fs.readFileSync(path.join(dir, "weights-f32.safetensors"));
    write("cut.safetensors", s.subarray(0, s.length - 4));
    await refuse("cut.safetensors", "truncated", /tensor seq_ids/);
  });

  it("a model with other shapes: layers, top-k, experts", async () => {
    await refuse("stored.npz", "shape_mismatch", /expert_ids/, {
      model: { layers: 5, experts: 16, topK: 4, renormalize: true },
    });
    await refuse("stored.npz", "k_too_large", /expert_ids/, {
      model: { layers: 4, experts: 16, topK: 2, renormalize: true },
    });
    await refuse("stored.npz", "shape_mismatch", /logits/, {
      model: { layers: 4, experts: 8, topK: 4, renormalize: true },
    });
    const err = await refuse(
      "compressed.npz",
      "expert_out_of_range",
      /expert_ids \(\.npz\), token \d+, layer \d, slot \d/,
      { model: { layers: 4, experts: 8, topK: 4, renormalize: true } },
    );
    expect(err.message).toMatch(/outside \[0, 8\)/);
  });

  it("a float array of expert ids, and a duplicate expert", async () => {
    const npy = (descr: string, shape: number[], data: ArrayBufferView) => {
      let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")},), }`;
      h += " ".repeat(63 - ((10 + h.length) % 64)) + "\n";
      const head = new Uint8Array(10 + h.length);
      head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(head.buffer).setUint16(8, h.length, true);
      head.set(new TextEncoder().encode(h), 10);
      return Buffer.concat([head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
    };
    write("float-ids.npy", npy("<f4", [1, 4, 4], new Float32Array(16)));
    await refuse("float-ids.npy", "wrong_dtype", /expert_ids/);
    const dup = new Int32Array(16).map((_, i) => i % 4);
    dup[5] = dup[4];
    write("dup.npy", npy("<i4", [1, 4, 4], dup));
    const err = await refuse("dup.npy", "duplicate_expert", /token 0, layer 1, slots 0 and 1/);
    expect(err.message).toMatch(/appears twice/);
    write("rank.npy", npy("<i4", [16], new Int32Array(16)));
    await refuse("rank.npy", "rank_mismatch", /expert_ids/);
  });
});
