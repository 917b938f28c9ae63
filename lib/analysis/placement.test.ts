import { describe, expect, it } from "vitest";
import {
  contiguousPlacement,
  ctReduction,
  deviceOf,
  DeviceCounter,
  layersOverBound,
  placementCost,
  roundRobinPlacement,
  validatePlacement,
  type Placement,
} from "./placement";
import { maxWeightPerfectMatching } from "./matching";
import {
  balancedPlacement,
  deviceImbalance,
  greedyPlacement,
  matchingPlacement,
  optimizePlacement,
} from "./placement-search";

/** Top-2 tokens over 4 experts: {0,1} x3, {2,3} x1, {0,2} x2. */
const E = 4;
const C = new Float64Array(16);
const add = (a: number, b: number, n: number) => {
  C[a * E + b] += n;
  C[b * E + a] += n;
};
add(0, 1, 3);
add(2, 3, 1);
add(0, 2, 2);
const load = [5, 3, 3, 1];
const N = 6;

describe("placement cost (A5)", () => {
  it("counts devices per token exactly for top-2", () => {
    // {0,1},{2,3}: pairs 0-1 and 2-3 co-located: 3 + 1 tokens on one device, 2 tokens on two.
    const c = placementCost(C, load, N, 2, contiguousPlacement(4, 2));
    expect(c.ct).toBeCloseTo((4 * 1 + 2 * 2) / 6, 12);
    expect(c.deviceLoad).toEqual([5 + 3 - 3, 3 + 1 - 1]);
    // round robin {0,2},{1,3}: only 0-2 co-located.
    expect(placementCost(C, load, N, 2, roundRobinPlacement(4, 2)).ct).toBeCloseTo((2 * 1 + 4 * 2) / 6, 12);
    expect(placementCost(C, load, N, 4, roundRobinPlacement(4, 2)).ct).toBeNull();
  });

  it("validates placements", () => {
    expect(
      validatePlacement(
        [
          [0, 1],
          [2, 3],
        ],
        4,
      ),
    ).toBeNull();
    expect(validatePlacement([[0, 1, 2], [3]], 4)).toMatch(/holds 3 experts/);
    expect(
      validatePlacement(
        [
          [0, 1],
          [1, 3],
        ],
        4,
      ),
    ).toMatch(/placed twice/);
  });
});

describe("greedy and optimized placements", () => {
  it("greedy groups the largest pairs first and fills the rest when counts run out", () => {
    expect(greedyPlacement(C, 4, 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(greedyPlacement(new Float64Array(16), 4, 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  /** Seeded random symmetric co-activation. */
  function randomC(n: number, seed: number) {
    let x = seed;
    const r = () => (x = (x * 48271) % 2147483647) / 2147483647;
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = Math.floor(r() ** 3 * 1000);
    return m;
  }
  const within = (m: Float64Array, n: number, p: number[][]) =>
    p.reduce((s, g) => s + g.reduce((t, a, i) => t + g.slice(i + 1).reduce((u, b) => u + m[a * n + b], 0), 0), 0);

  it("local search is never worse than greedy on random matrices", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const n = 16;
      const m = randomC(n, seed);
      const g = greedyPlacement(m, n, 4);
      const o = optimizePlacement(m, n, 4, { starts: [g, contiguousPlacement(n, 4)], exhaustiveUpTo: 0 });
      expect(validatePlacement(o, n)).toBeNull();
      expect(within(m, n, o)).toBeGreaterThanOrEqual(within(m, n, g));
    }
  });

  it("load-aware: holds the device-load bound even when every routing-based start breaks it", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = 32;
      const m = randomC(n, seed);
      // Skewed loads (a few hot experts), the case where collaboration grouping piles load up.
      const ld = Array.from({ length: n }, (_, e) => (e % 7 === 0 ? 40 : 1) + ((e * seed) % 5));
      const g = greedyPlacement(m, n, 8);
      const bound = Math.max(1.05, deviceImbalance(balancedPlacement(ld, n, 8), ld));
      const o = optimizePlacement(m, n, 8, { starts: [g], maxImbalance: bound, load: ld, exhaustiveUpTo: 0 });
      expect(validatePlacement(o, n)).toBeNull();
      expect(deviceImbalance(o, ld)).toBeLessThanOrEqual(bound + 1e-9);
      // Local search from the balanced start only improves co-location.
      expect(within(m, n, o)).toBeGreaterThanOrEqual(within(m, n, balancedPlacement(ld, n, 8)) - 1e-9);
    }
  });

  it("load-aware exhaustive search (8 on 4): the best placement within the bound, or the most balanced", () => {
    const m = randomC(8, 7);
    const ld = [6, 1, 1, 1, 1, 1, 1, 4];
    let bestWithin = -Infinity;
    let minImb = Infinity;
    const all: Placement[] = [];
    const rec = (left: number[], acc: Placement) => {
      if (!left.length) return all.push(acc.map((d) => [...d]));
      const [first, ...rest] = left;
      for (const x of rest)
        rec(
          rest.filter((y) => y !== x),
          [...acc, [first, x]],
        );
    };
    rec([0, 1, 2, 3, 4, 5, 6, 7], []);
    expect(all).toHaveLength(105);
    for (const p of all) {
      const imb = deviceImbalance(p, ld);
      minImb = Math.min(minImb, imb);
      if (imb <= 1.8) bestWithin = Math.max(bestWithin, within(m, 8, p));
    }
    const o = optimizePlacement(m, 8, 4, { starts: [], maxImbalance: 1.8, load: ld });
    expect(deviceImbalance(o, ld)).toBeLessThanOrEqual(1.8);
    expect(within(m, 8, o)).toBeCloseTo(bestWithin, 9);
    // Expert 0 (6 of 16) with its lightest partner is 7 against a mean of 4: 1.75 is the floor.
    const tight = optimizePlacement(m, 8, 4, { starts: [], maxImbalance: 1.01, load: ld });
    expect(minImb).toBe(1.75);
    expect(deviceImbalance(tight, ld)).toBe(1.75);
  });

  it("balances by longest-processing-time first", () => {
    // loads 8,7,6,5,4,3,2,1 on 4 devices of 2: 8+1, 7+2, 6+3, 5+4 = 9 each.
    const p = balancedPlacement([8, 7, 6, 5, 4, 3, 2, 1], 8, 4);
    expect(p).toEqual([
      [0, 7],
      [1, 6],
      [2, 5],
      [3, 4],
    ]);
    expect(deviceImbalance(p, [8, 7, 6, 5, 4, 3, 2, 1])).toBe(1);
  });

  it("finds the brute-force optimum for 8 experts on 4 devices", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const m = randomC(8, seed);
      const exact = optimizePlacement(m, 8, 4, { starts: [] });
      const search = optimizePlacement(m, 8, 4, {
        starts: [greedyPlacement(m, 8, 4), contiguousPlacement(8, 4), roundRobinPlacement(8, 4)],
        exhaustiveUpTo: 0,
      });
      expect(within(m, 8, exact)).toBeGreaterThanOrEqual(within(m, 8, search));
      expect(within(m, 8, exact)).toBeGreaterThanOrEqual(within(m, 8, greedyPlacement(m, 8, 4)));
    }
  });
});

describe("two experts per device: the maximum-weight matching (A5)", () => {
  function randomC(n: number, seed: number, levels = 1000) {
    let x = seed;
    const r = () => (x = (x * 48271) % 2147483647) / 2147483647;
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = Math.floor(r() ** 3 * levels);
    return m;
  }
  const within = (m: Float64Array, n: number, p: number[][]) =>
    p.reduce((s, g) => s + g.reduce((t, a, i) => t + g.slice(i + 1).reduce((u, b) => u + m[a * n + b], 0), 0), 0);
  /** Every placement of n experts two a device: 105 for 8, 10,395 for 12. */
  const bruteBest = (m: Float64Array, n: number) => {
    let best = -Infinity;
    let count = 0;
    const rec = (left: number[], w: number) => {
      if (!left.length) {
        count++;
        best = Math.max(best, w);
        return;
      }
      const [a, ...rest] = left;
      for (const b of rest)
        rec(
          rest.filter((y) => y !== b),
          w + m[a * n + b],
        );
    };
    rec(
      Array.from({ length: n }, (_, i) => i),
      0,
    );
    return { best, count };
  };

  it("equals the 105-placement exhaustive search for 8 experts on 4 devices, and all 10,395 for 12 on 6", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const n = seed % 2 ? 8 : 12;
      const m = randomC(n, seed, seed % 5 === 0 ? 3 : 1000);
      const { best, count } = bruteBest(m, n);
      expect(count).toBe(n === 8 ? 105 : 10395);
      // The optimizer's own path for E = 2D (exhaustive search switched off) and the matching alone.
      const o = optimizePlacement(m, n, n / 2, { starts: [greedyPlacement(m, n, n / 2)], exhaustiveUpTo: 0 });
      expect(validatePlacement(o, n)).toBeNull();
      expect(within(m, n, o)).toBe(best);
      expect(within(m, n, matchingPlacement(m, n))).toBe(best);
      // C_T for top-2 from it is the minimum over all placements.
      const ld = Array.from({ length: n }, (_, e) => m.slice(e * n, e * n + n).reduce((s, x) => s + x, 0));
      const tokens = ld.reduce((s, x) => s + x, 0) / 2;
      expect(placementCost(m, ld, tokens, 2, o).ct).toBeCloseTo((2 * tokens - best) / tokens, 12);
    }
  });

  it("reaches the matching optimum up to 256 experts, above greedy, and no swap improves it", () => {
    let strictlyBetter = 0;
    for (const n of [16, 64, 256]) {
      for (let seed = 1; seed <= 3; seed++) {
        const m = randomC(n, seed * 31 + n);
        const D = n / 2;
        const g = greedyPlacement(m, n, D);
        const o = optimizePlacement(m, n, D, { starts: [g, contiguousPlacement(n, D), roundRobinPlacement(n, D)] });
        const mate = maxWeightPerfectMatching(m, n);
        let w = 0;
        for (let i = 0; i < n; i++) if (i < mate[i]) w += m[i * n + mate[i]];
        expect(within(m, n, o)).toBe(w);
        expect(within(m, n, o)).toBeGreaterThanOrEqual(within(m, n, g));
        // No exchange of partners between two devices improves it (what a swap search would stop at).
        for (let a = 0; a < D; a++)
          for (let b = a + 1; b < D; b++) {
            const [p, q] = o[a];
            const [r, t] = o[b];
            const now = m[p * n + q] + m[r * n + t];
            expect(Math.max(m[p * n + r] + m[q * n + t], m[p * n + t] + m[q * n + r])).toBeLessThanOrEqual(now);
          }
        if (within(m, n, o) > within(m, n, g)) strictlyBetter++;
      }
    }
    expect(strictlyBetter).toBeGreaterThan(0);
  });
});

describe("DeviceCounter", () => {
  it("counts distinct devices per token exactly, for any k", () => {
    // 8 experts, contiguous on 2 devices; top-4 tokens {0,1,2,3} (one device) and {0,1,4,-1} (two)
    const dev = deviceOf(contiguousPlacement(8, 2), 8);
    const c = new DeviceCounter([dev], 2);
    c.add(2, 4, [0, 0], [0, 1, 2, 3, 0, 1, 4, -1]);
    expect(c.ct(0)).toBe(1.5);
    expect(Array.from(c.deviceLoad[0])).toEqual([2, 1]);
  });
});

describe("placement summaries", () => {
  it("reduction against contiguous: 1 − C_T / C_T(contiguous), unknown when either is", () => {
    expect(ctReduction(1.5, 2)).toBe(0.25);
    expect(ctReduction(2, 2)).toBe(0);
    expect(ctReduction(null, 2)).toBeNull();
    expect(ctReduction(1, null)).toBeNull();
    expect(ctReduction(1, 0)).toBeNull();
  });
  it("layers over the bound: unknown layers and rounding-level excess are not over", () => {
    expect(layersOverBound([1.2, null, 1.5 + 1e-12, 1.6], 1.5)).toEqual([3]);
    expect(layersOverBound([], 1)).toEqual([]);
  });
});
