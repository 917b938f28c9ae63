import { describe, expect, it } from "vitest";
import type { EventBatch } from "./event-batch";
import { TransitionJoiner } from "./transition-joiner";

/** Events as [seq, pos, layer, e1, e2, repeat?] with 4 experts, top-2. */
function batch(rows: number[][]): EventBatch {
  const n = rows.length;
  return {
    count: n,
    k: 2,
    layer: Uint16Array.from(rows.map((r) => r[2])),
    experts: Int16Array.from(rows.flatMap((r) => [r[3], r[4]])),
    weights: null,
    logits: null,
    seq: Int32Array.from(rows.map((r) => r[0])),
    pos: Int32Array.from(rows.map((r) => r[1])),
    tokenId: new Int32Array(n).fill(-1),
    label: new Int16Array(n).fill(-1),
    repeat: Uint8Array.from(rows.map((r) => r[5] ?? 0)),
  };
}
const total = (j: TransitionJoiner) => j.transitions.map((m) => m.reduce((s, x) => s + x, 0));

describe("TransitionJoiner", () => {
  it("joins token-major events by adjacency, even when positions repeat (decode steps)", () => {
    const j = new TransitionJoiner(3, 4, 2);
    j.add(
      batch([
        [0, 0, 0, 0, 1],
        [0, 0, 1, 2, 3],
        [0, 0, 2, 0, 3],
        [0, 0, 0, 1, 2, 1],
        [0, 0, 1, 0, 3, 1],
      ]),
    );
    j.add(batch([[0, 0, 2, 2, 1, 1]])); // the token continues across batches
    expect(total(j)).toEqual([8, 8]);
    expect(j.transitions[0][0 * 4 + 2]).toBe(1);
    expect(j.transitions[0][1 * 4 + 0]).toBe(1);
    expect(j.transitions[1][3 * 4 + 1]).toBe(1);
  });

  it("joins layer-major events by (sequence, position), each pair once", () => {
    const j = new TransitionJoiner(2, 4, 2);
    const rows = [
      [0, 0, 0, 0, 1],
      [0, 1, 0, 2, 3],
      [1, 0, 0, 1, 2],
      [0, 0, 1, 3, 2],
      [0, 1, 1, 0, 1],
      [1, 0, 1, 1, 3],
    ];
    j.add(batch(rows));
    expect(total(j)).toEqual([12]);
    expect(j.transitions[0][0 * 4 + 3]).toBe(1); // seq 0 pos 0: {0,1} -> {3,2}
    expect(j.transitions[0][2 * 4 + 0]).toBe(1); // seq 0 pos 1: {2,3} -> {0,1}
    expect(j.transitions[0][1 * 4 + 1]).toBe(1); // seq 1 pos 0: {1,2} -> {1,3}
  });

  it("does not join a repeated position with a different token's layer", () => {
    const j = new TransitionJoiner(2, 4, 2);
    // Prompt token at pos 0 only has layer 0; a decode step (repeat of pos 0) logs layer 1 later.
    j.add(
      batch([
        [0, 0, 0, 0, 1],
        [0, 5, 0, 2, 3],
        [0, 0, 1, 2, 3, 1],
      ]),
    );
    expect(total(j)).toEqual([0]);
  });

  it("gives up, saying why, when a layout would need unbounded memory", async () => {
    const { MAX_PENDING } = await import("./transition-joiner");
    const j = new TransitionJoiner(2, 4, 2);
    const rows = Array.from({ length: MAX_PENDING + 1 }, (_, p) => [0, p, 0, 0, 1]);
    j.add(batch(rows));
    expect(j.failed).toMatch(/transitions need per-token or token-major order/);
  });
});
