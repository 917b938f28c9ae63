import { describe, expect, it } from "vitest";
import { maxWeightMatching, maxWeightPerfectMatching, type WeightedEdge } from "./matching";

/** Seeded LCG in [0, 1). */
function rng(seed: number) {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

const weightOf = (mate: Int32Array, edges: WeightedEdge[]) => {
  let s = 0;
  for (const e of edges) if (mate[e.i] === e.j) s += e.w;
  return s;
};
const sizeOf = (mate: Int32Array) => mate.reduce((s, v) => s + (v >= 0 ? 1 : 0), 0) / 2;

/** Every matching of a small graph: the best weight, and the best weight among the largest ones. */
function brute(n: number, edges: WeightedEdge[]) {
  let best = 0;
  let bestCard = 0;
  let bestCardWeight = 0;
  const used = new Uint8Array(n);
  const rec = (k: number, w: number, card: number) => {
    if (k === edges.length) {
      best = Math.max(best, w);
      if (card > bestCard || (card === bestCard && w > bestCardWeight)) {
        bestCard = card;
        bestCardWeight = w;
      }
      return;
    }
    rec(k + 1, w, card);
    const { i, j } = edges[k];
    if (!used[i] && !used[j]) {
      used[i] = used[j] = 1;
      rec(k + 1, w + edges[k].w, card + 1);
      used[i] = used[j] = 0;
    }
  };
  rec(0, 0, 0);
  return { best, bestCard, bestCardWeight };
}

const valid = (mate: Int32Array, edges: WeightedEdge[]) => {
  const has = new Set(edges.map((e) => `${Math.min(e.i, e.j)},${Math.max(e.i, e.j)}`));
  mate.forEach((v, u) => {
    if (v < 0) return;
    expect(mate[v]).toBe(u);
    expect(has.has(`${Math.min(u, v)},${Math.max(u, v)}`)).toBe(true);
  });
};

describe("maximum-weight matching (Galil's O(n³) blossom algorithm)", () => {
  it("solves the classic small cases, blossoms included", () => {
    const E = (xs: [number, number, number][]) => xs.map(([i, j, w]) => ({ i, j, w }));
    expect(Array.from(maxWeightMatching(2, E([[0, 1, 1]])))).toEqual([1, 0]);
    expect(
      Array.from(
        maxWeightMatching(
          4,
          E([
            [1, 2, 10],
            [2, 3, 11],
          ]),
        ),
      ),
    ).toEqual([-1, -1, 3, 2]);
    expect(
      Array.from(
        maxWeightMatching(
          5,
          E([
            [1, 2, 5],
            [2, 3, 11],
            [3, 4, 5],
          ]),
          true,
        ),
      ),
    ).toEqual([-1, 2, 1, 4, 3]);
    // An S-blossom {1,2,3} used for augmentation; a nested one; a T-blossom expanded.
    expect(
      Array.from(
        maxWeightMatching(
          7,
          E([
            [1, 2, 8],
            [1, 3, 9],
            [2, 3, 10],
            [3, 4, 7],
            [1, 6, 5],
            [4, 5, 6],
          ]),
        ),
      ),
    ).toEqual([-1, 6, 3, 2, 5, 4, 1]);
    expect(
      Array.from(
        maxWeightMatching(
          7,
          E([
            [1, 2, 9],
            [1, 3, 9],
            [2, 3, 10],
            [2, 4, 8],
            [3, 5, 8],
            [4, 5, 10],
            [5, 6, 6],
          ]),
        ),
      ),
    ).toEqual([-1, 3, 4, 1, 2, 6, 5]);
    expect(
      Array.from(
        maxWeightMatching(
          9,
          E([
            [1, 2, 23],
            [1, 5, 22],
            [1, 6, 15],
            [2, 3, 25],
            [3, 4, 22],
            [4, 5, 25],
            [4, 8, 14],
            [5, 7, 13],
          ]),
        ),
      ),
    ).toEqual([-1, 6, 3, 2, 8, 7, 1, 5, 4]);
    expect(
      Array.from(
        maxWeightMatching(
          11,
          E([
            [1, 2, 45],
            [1, 5, 45],
            [2, 3, 50],
            [3, 4, 45],
            [4, 5, 50],
            [1, 6, 30],
            [3, 9, 35],
            [4, 8, 35],
            [5, 7, 26],
            [9, 10, 5],
          ]),
        ),
      ),
    ).toEqual([-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9]);
    expect(
      Array.from(
        maxWeightMatching(
          13,
          E([
            [1, 2, 45],
            [1, 7, 45],
            [2, 3, 50],
            [3, 4, 45],
            [4, 5, 95],
            [4, 6, 94],
            [5, 6, 94],
            [6, 7, 50],
            [1, 8, 30],
            [3, 11, 35],
            [5, 9, 36],
            [7, 10, 26],
            [11, 12, 5],
          ]),
        ),
      ),
    ).toEqual([-1, 8, 3, 2, 6, 9, 4, 10, 1, 5, 7, 12, 11]);
  });

  it("equals brute force on 600 random small graphs, with and without maximum cardinality", () => {
    for (let seed = 1; seed <= 600; seed++) {
      const r = rng(seed);
      const n = 2 + Math.floor(r() * 8);
      const density = 0.3 + 0.7 * r();
      const edges: WeightedEdge[] = [];
      // Few distinct weights make ties and tight blossoms common, the cases that break ports.
      const levels = seed % 3 === 0 ? 4 : 40;
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) if (r() < density) edges.push({ i, j, w: 1 + Math.floor(r() * levels) });
      if (edges.length > 16) edges.length = 16;
      const ref = brute(n, edges);
      const m = maxWeightMatching(n, edges);
      valid(m, edges);
      expect(weightOf(m, edges)).toBe(ref.best);
      const mc = maxWeightMatching(n, edges, true);
      valid(mc, edges);
      expect(sizeOf(mc)).toBe(ref.bestCard);
      expect(weightOf(mc, edges)).toBe(ref.bestCardWeight);
    }
  });

  it("perfect matching on complete graphs equals brute force over every pairing (up to 10 vertices: 945)", () => {
    for (let seed = 1; seed <= 120; seed++) {
      const r = rng(seed * 7 + 3);
      const n = 2 * (1 + (seed % 5));
      const W = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          W[i * n + j] = W[j * n + i] = seed % 4 === 0 ? Math.floor(r() * 3) : Math.floor(r() ** 3 * 1000);
      let best = -Infinity;
      const rec = (left: number[], w: number) => {
        if (!left.length) return void (best = Math.max(best, w));
        const [a, ...rest] = left;
        for (const b of rest)
          rec(
            rest.filter((x) => x !== b),
            w + W[a * n + b],
          );
      };
      rec(
        Array.from({ length: n }, (_, i) => i),
        0,
      );
      const mate = maxWeightPerfectMatching(W, n);
      let w = 0;
      for (let i = 0; i < n; i++) {
        expect(mate[mate[i]]).toBe(i);
        if (i < mate[i]) w += W[i * n + mate[i]];
      }
      expect(w).toBe(best);
    }
  });

  it("refuses an odd vertex count and bad edges", () => {
    expect(() => maxWeightPerfectMatching(new Float64Array(9), 3)).toThrow(/even number/);
    expect(() => maxWeightMatching(2, [{ i: 0, j: 0, w: 1 }])).toThrow(/distinct vertices/);
  });
});
