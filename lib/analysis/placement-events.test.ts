import { describe, expect, it } from "vitest";
import { contiguousPlacement, deviceOf, roundRobinPlacement, type Placement } from "./placement";
import { devicesReached, optimizeOnEvents, SwapState, swapSearch, type TokenSets } from "./placement-events";

function rng(seed: number) {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

/** Random top-k token sets with some structure (experts in clusters) and some short tokens (−1 slots). */
function randomTokens(seed: number, E: number, k: number, count: number): TokenSets {
  const r = rng(seed);
  const ids = new Int16Array(count * k).fill(-1);
  for (let t = 0; t < count; t++) {
    const chosen = new Set<number>();
    const cluster = Math.floor(r() * 4);
    const n = r() < 0.1 ? k - 1 : k;
    while (chosen.size < n)
      chosen.add(r() < 0.6 ? (cluster * (E / 4) + Math.floor(r() * (E / 4))) % E : Math.floor(r() * E));
    [...chosen].forEach((e, a) => (ids[t * k + a] = e));
  }
  return { ids, k, count };
}

/** Σ_t |devices| recounted from scratch after swapping a and b. */
function recountSwap(tokens: TokenSets, dev: Int32Array, D: number, a: number, b: number) {
  const d2 = dev.slice();
  d2[a] = dev[b];
  d2[b] = dev[a];
  return devicesReached(tokens, d2, D);
}

describe("C_T swap search on the raw events (A5, any k)", () => {
  it("Δ of every swap equals a recount, also after a chain of swaps", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const E = 16;
      const D = 4;
      const tokens = randomTokens(seed, E, 4, 300);
      const s = new SwapState(tokens, E, D, roundRobinPlacement(E, D));
      const r = rng(seed + 100);
      for (let step = 0; step < 8; step++) {
        const dev = s.dev;
        expect(s.reached).toBe(devicesReached(tokens, dev, D));
        for (let a = 0; a < E; a++)
          for (let b = a + 1; b < E; b++)
            if (dev[a] !== dev[b]) expect(s.delta(a, b)).toBe(recountSwap(tokens, dev, D, a, b) - s.reached);
        let a = Math.floor(r() * E);
        let b = Math.floor(r() * E);
        while (dev[a] === dev[b]) {
          a = Math.floor(r() * E);
          b = Math.floor(r() * E);
        }
        s.swap(a, b);
      }
    }
  });

  it("ends swap-locally optimal, never worse than its start (top-4 and top-8)", () => {
    for (const [E, D, k] of [
      [16, 4, 4],
      [32, 8, 8],
      [24, 6, 4],
    ]) {
      for (let seed = 1; seed <= 4; seed++) {
        const tokens = randomTokens(seed * 13 + E, E, k, 400);
        const start = roundRobinPlacement(E, D);
        const s = new SwapState(tokens, E, D, start);
        const before = s.reached;
        const swaps = swapSearch(s);
        expect(swaps).toBeGreaterThan(0);
        expect(s.reached).toBeLessThan(before);
        const dev = s.dev;
        expect(s.reached).toBe(devicesReached(tokens, dev, D));
        for (let a = 0; a < E; a++)
          for (let b = a + 1; b < E; b++)
            if (dev[a] !== dev[b]) expect(recountSwap(tokens, dev, D, a, b)).toBeGreaterThanOrEqual(s.reached);
      }
    }
  });

  it("optimizeOnEvents returns the best end point over its starts, device sizes kept", () => {
    const E = 32;
    const D = 8;
    const tokens = randomTokens(5, E, 8, 500);
    const starts: Placement[] = [contiguousPlacement(E, D), roundRobinPlacement(E, D)];
    const r = optimizeOnEvents(tokens, E, D, { starts });
    expect(r.placement.every((g) => g.length === E / D)).toBe(true);
    expect(r.reached).toBe(devicesReached(tokens, deviceOf(r.placement, E), D));
    for (const p of starts) expect(r.reached).toBeLessThanOrEqual(devicesReached(tokens, deviceOf(p, E), D));
    expect(r.startReached).toHaveLength(2);
  });

  it("holds a load bound: no swap pushes a device past it", () => {
    const E = 16;
    const D = 4;
    const tokens = randomTokens(9, E, 4, 400);
    const s = new SwapState(tokens, E, D, roundRobinPlacement(E, D));
    const load = Array.from(s.load);
    const per = (dev: Int32Array) => {
      const x = new Float64Array(D);
      load.forEach((l, e) => (x[dev[e]] += l));
      return Math.max(...x) / (x.reduce((a, b) => a + b, 0) / D);
    };
    const bound = Math.max(1.05, per(s.dev));
    swapSearch(s, { maxImbalance: bound, load });
    expect(per(s.dev)).toBeLessThanOrEqual(bound + 1e-12);
  });
});
