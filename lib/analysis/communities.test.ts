import { describe, expect, it } from "vitest";
import {
  collaborationEdges,
  exactCommunities,
  expertCommunities,
  liftGraph,
  louvain,
  modularity,
  seriate,
} from "./communities";

function graph(E: number, edges: [number, number, number][]) {
  const w = new Float64Array(E * E);
  for (const [i, j, x] of edges) w[i * E + j] = w[j * E + i] = x;
  return w;
}

// Two unit-weight triangles {0,1,2} and {3,4,5} joined by the edge 2-3.
const triangles = graph(6, [
  [0, 1, 1],
  [1, 2, 1],
  [0, 2, 1],
  [3, 4, 1],
  [4, 5, 1],
  [3, 5, 1],
  [2, 3, 1],
]);

/**
 * Top-2 co-activation of 4 planted blocks of 4 experts, interleaved (expert e in block e % 4), plus
 * a few weaker cross-block pairs; loads are row sums (each token is one pair).
 */
function planted(extra = 0) {
  const E = 16 + extra;
  const C = new Float64Array(E * E);
  const add = (i: number, j: number, n: number) => {
    C[i * E + j] += n;
    C[j * E + i] += n;
  };
  for (let i = 0; i < 16; i++)
    for (let j = i + 1; j < 16; j++) add(i, j, i % 4 === j % 4 ? 100 + ((i * 7 + j) % 13) : 5);
  add(0, 1, 45);
  add(6, 11, 45);
  return { E, C, add };
}

const loadsOf = (C: Float64Array, E: number) =>
  Array.from({ length: E }, (_, i) => C.subarray(i * E, (i + 1) * E).reduce((a, b) => a + b, 0));

describe("modularity (A4)", () => {
  it("matches a hand computation on two triangles joined by an edge", () => {
    // m = 7, degrees 2,2,3,3,2,2. Split into the triangles: each has L_c = 3, d_c = 7:
    // Q = 2 (3/7 − (7/14)²) = 6/7 − 1/2 = 5/14.
    expect(modularity(triangles, 6, [0, 0, 0, 1, 1, 1])).toBeCloseTo(5 / 14, 15);
    // γ = 2: 6/7 − 2 · 1/2 = −1/7. One community: 1 − 1 = 0. Singletons: −(4·2² + 2·3²)/14² = −34/196.
    expect(modularity(triangles, 6, [0, 0, 0, 1, 1, 1], 2)).toBeCloseTo(-1 / 7, 15);
    expect(modularity(triangles, 6, [0, 0, 0, 0, 0, 0])).toBeCloseTo(0, 15);
    expect(modularity(triangles, 6, [0, 1, 2, 3, 4, 5])).toBeCloseTo(-34 / 196, 15);
    expect(modularity(new Float64Array(9), 3, [0, 1, 2])).toBe(0);
  });

  it("rejects malformed input", () => {
    expect(() => modularity(triangles, 6, [0, 0, 0, 1, 1])).toThrow(/6 community labels/);
    expect(() => modularity(triangles, 6, [0, 0, 0, 1, 1, 6])).toThrow(/outside \[0, 6\)/);
    expect(() => louvain(graph(2, [[0, 1, -1]]), 2)).toThrow(/finite and ≥ 0/);
  });
});

describe("louvain (A4)", () => {
  it("splits the two triangles, numbering communities by smallest member", () => {
    const r = louvain(triangles, 6);
    expect(Array.from(r.community)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(r.modularity).toBeCloseTo(5 / 14, 15);
  });

  it("recovers planted blocks from the lift graph exactly", () => {
    const { E, C } = planted();
    const load = loadsOf(C, E);
    const w = liftGraph(C, load, load.reduce((a, b) => a + b, 0) / 2, E, 2);
    const r = louvain(w, E);
    expect(Array.from(r.community)).toEqual(Array.from({ length: E }, (_, e) => e % 4));
    expect(r.modularity).toBeGreaterThan(0.5);
    // Deterministic: same input, same output.
    expect(louvain(w, E)).toEqual(r);
  });

  it("leaves dead experts and experts never above chance as singletons", () => {
    // Expert 16 is never selected; 17 is paired once with everyone (lift well below 1).
    const { E, C, add } = planted(2);
    for (let j = 0; j < 16; j++) add(17, j, 1);
    const load = loadsOf(C, E);
    const w = liftGraph(C, load, load.reduce((a, b) => a + b, 0) / 2, E, 2);
    for (const e of [16, 17]) expect(w.subarray(e * E, (e + 1) * E).every((x) => x === 0)).toBe(true);
    const { community } = louvain(w, E);
    expect(community[16]).toBe(4);
    expect(community[17]).toBe(5);
    expect(louvain(new Float64Array(9), 3)).toEqual({ community: Int32Array.from([0, 1, 2]), modularity: 0 });
  });

  it("a higher resolution gives smaller communities", () => {
    expect(Array.from(louvain(triangles, 6, { resolution: 0.1 }).community)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(new Set(louvain(triangles, 6, { resolution: 3 }).community).size).toBeGreaterThan(2);
  });
});

describe("exactCommunities / expertCommunities (A4)", () => {
  it("finds the optimum over every partition, unlinked experts alone", () => {
    const r = exactCommunities(triangles, 6);
    expect(Array.from(r.community)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(r.modularity).toBeCloseTo(5 / 14, 15);
    // expert 2 of 4 has no link: it stays a singleton, numbered by its id's place
    const w = graph(4, [
      [0, 1, 1],
      [1, 3, 1],
      [0, 3, 1],
    ]);
    expect(Array.from(exactCommunities(w, 4).community)).toEqual([0, 0, 1, 0]);
    expect(exactCommunities(new Float64Array(9), 3)).toEqual({ community: Int32Array.from([0, 1, 2]), modularity: 0 });
  });

  it("beats a Louvain local optimum: a path 0-1-2-3-4-5 with a heavy middle", () => {
    // Every partition checked by brute force below, independently of the recursion.
    const w = graph(6, [
      [0, 1, 1],
      [1, 2, 0.2],
      [2, 3, 3],
      [3, 4, 0.2],
      [4, 5, 1],
      [0, 5, 0.1],
    ]);
    let best = -Infinity;
    const label = new Array(6).fill(0);
    const all = (i: number, max: number) => {
      if (i === 6) return void (best = Math.max(best, modularity(w, 6, label)));
      for (let c = 0; c <= max + 1; c++) {
        label[i] = c;
        all(i + 1, Math.max(max, c));
      }
    };
    label[0] = 0;
    all(1, 0);
    expect(exactCommunities(w, 6).modularity).toBeCloseTo(best, 12);
    expect(exactCommunities(w, 6).modularity).toBeGreaterThanOrEqual(louvain(w, 6).modularity - 1e-12);
  });

  it("uses the exact search up to 10 linked experts, Louvain beyond", () => {
    const { E, C } = planted();
    const load = loadsOf(C, E);
    const w = liftGraph(C, load, load.reduce((a, b) => a + b, 0) / 2, E, 2);
    expect(expertCommunities(w, E).method).toBe("louvain");
    expect(expertCommunities(triangles, 6).method).toBe("exact");
    expect(() => exactCommunities(w, E)).toThrow(/at most 10/);
  });
});

describe("liftGraph", () => {
  it("keeps normalized lift − 1 where normalized lift > 1, symmetric with a zero diagonal", () => {
    // 4 tokens, top-2 of 3: {0,1} x2, {0,2}, {1,2}; loads 3,3,2. Baseline (k−1)E / (k(E−1)) = 3/4.
    // lift_01 = 2·4/9 = 8/9, normalized 32/27: weight 5/27 (raw lift > 1 would have dropped it);
    // lift_02 = lift_12 = 1·4/6 = 2/3, normalized 8/9: dropped.
    const C = [0, 2, 1, 2, 0, 1, 1, 1, 0];
    const w = liftGraph(C, [3, 3, 2], 4, 3, 2);
    expect(w[1]).toBeCloseTo(5 / 27, 15);
    expect(w[3]).toBe(w[1]);
    expect([w[0], w[4], w[8], w[2], w[5], w[6], w[7]]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("has no edges for top-1 routing (co-activation is empty)", () => {
    expect(Array.from(liftGraph(new Float64Array(9), [3, 3, 2], 8, 3, 1)).every((x) => x === 0)).toBe(true);
  });
});

describe("collaborationEdges", () => {
  it("thresholds the normalized lift, strongest first, capped, with the raw lift kept", () => {
    // Baseline 0.5: lift 0.75 is normalized 1.5, lift 1 is 2, lift 0.4 is 0.8.
    const lift = [
      [0, 0.75, 1, 0.4],
      [0.75, 0, 0.4, 1],
      [1, 0.4, 0, 0.75],
      [0.4, 1, 0.75, 0],
    ];
    const co = lift.map((r, i) => r.map((_, j) => (i === j || (i + j === 3 && i !== 1 && i !== 2) ? 0 : 1)));
    // pair (0, 3) never co-activated: no edge even if lift qualified
    const { edges, total } = collaborationEdges(lift, co, 0.5, 1.5, 3);
    expect(total).toBe(4);
    expect(edges.map((e) => [e.source, e.target, e.weight, e.lift])).toEqual([
      [0, 2, 2, 1],
      [1, 3, 2, 1],
      [0, 1, 1.5, 0.75],
    ]);
    expect(collaborationEdges(lift, co, null, 0, 10)).toEqual({ edges: [], total: 0 });
  });
});

describe("seriate (A4c)", () => {
  it("is a permutation that keeps each community contiguous, largest first", () => {
    const { E, C, add } = planted(2);
    for (const j of [3, 7, 11, 15]) add(17, j, 100); // 17 joins block 3: a block of 5
    const load = loadsOf(C, E);
    const w = liftGraph(C, load, load.reduce((a, b) => a + b, 0) / 2, E, 2);
    const { community } = louvain(w, E);
    const order = Array.from(seriate(w, E, community));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: E }, (_, i) => i));
    const blocks = order.map((e) => community[e]);
    const seen = new Set<number>();
    blocks.forEach((c, i) => {
      if (i > 0 && c !== blocks[i - 1]) {
        expect(seen.has(c)).toBe(false);
        seen.add(blocks[i - 1]);
      }
    });
    expect(blocks[0]).toBe(community[17]); // the 5-block comes first; the dead expert 16 last
    expect(order[E - 1]).toBe(16);
  });

  it("chains strongest links next to each other", () => {
    // Path 2 - 0 - 3 - 1 by weight: 0-3 strongest; 0 has the largest weight to the group.
    const w = graph(4, [
      [0, 3, 5],
      [2, 0, 3],
      [3, 1, 1],
    ]);
    expect(Array.from(seriate(w, 4, [0, 0, 0, 0]))).toEqual([0, 3, 1, 2]);
  });
});
