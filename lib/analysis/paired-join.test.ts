import { describe, expect, it } from "vitest";
import { PairedJoin, type PairableEvents } from "./paired-join";
import { Prng } from "@/lib/demo/prng";

const never = (seq: number, pos: number): never => {
  throw new Error(`unpairable ${seq} ${pos}`);
};

function events(rows: [number, number, number, number, number][]): PairableEvents {
  return {
    count: rows.length,
    k: 2,
    seq: rows.map((r) => r[0]),
    pos: rows.map((r) => r[1]),
    layer: rows.map((r) => r[2]),
    experts: rows.flatMap((r) => [r[3], r[4]]),
  };
}

function join(a: PairableEvents, b: PairableEvents) {
  const j = new PairedJoin(3, 2, a.count);
  j.addA(a, never);
  j.addB(b, never);
  return j.result();
}

describe("the paired join (A11 flip rate)", () => {
  it("pairs the j-th event of a repeated key in A with the j-th in B", () => {
    // Three decode steps at position 0 in A, two in B; the second differs.
    const a = events([
      [0, 0, 1, 1, 2],
      [0, 0, 1, 3, 4],
      [0, 0, 1, 5, 6],
    ]);
    const b = events([
      [0, 0, 1, 2, 1],
      [0, 0, 1, 3, 5],
    ]);
    const r = join(a, b);
    expect(Array.from(r.matched)).toEqual([0, 2, 0]);
    expect(Array.from(r.flips)).toEqual([0, 1, 0]);
    expect(r).toMatchObject({ unmatchedA: 1, unmatchedB: 0, repeatedA: 2, repeatedB: 1 });
  });

  it("is symmetric: swapping the runs swaps only what is only in A and only in B", () => {
    const prng = new Prng(7);
    const rand = () => prng.next();
    const gen = (n: number) =>
      events(
        Array.from({ length: n }, () => [
          Math.floor(rand() * 3),
          Math.floor(rand() * 4),
          Math.floor(rand() * 3),
          Math.floor(rand() * 4),
          4 + Math.floor(rand() * 4),
        ]),
      );
    for (let trial = 0; trial < 50; trial++) {
      const a = gen(1 + Math.floor(rand() * 60));
      const b = gen(1 + Math.floor(rand() * 60));
      const ab = join(a, b);
      const ba = join(b, a);
      expect(Array.from(ab.matched)).toEqual(Array.from(ba.matched));
      expect([ab.unmatchedA, ab.unmatchedB, ab.repeatedA, ab.repeatedB]).toEqual([
        ba.unmatchedB,
        ba.unmatchedA,
        ba.repeatedB,
        ba.repeatedA,
      ]);
      const total = (x: PairableEvents) => x.count;
      expect(ab.matched.reduce((s, v) => s + v, 0) + ab.unmatchedA).toBe(total(a));
      expect(ab.matched.reduce((s, v) => s + v, 0) + ab.unmatchedB).toBe(total(b));
      const self = join(a, a);
      expect([self.unmatchedA, self.unmatchedB, self.flips.reduce((s, v) => s + v, 0)]).toEqual([0, 0, 0]);
    }
  });

  it("refuses an event without a position", () => {
    expect(() => join(events([[0, -1, 0, 1, 2]]), events([]))).toThrow("unpairable 0 -1");
  });
});
