/** Shared by bench/explorer's measuring scripts: percentiles and the seeded request sequence. */
import { NORMALIZATIONS, type Normalization } from "@/lib/analysis/coactivation";

export const LAYERS = 58;

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function stats(xs: number[]): Stats {
  const v = [...xs].sort((a, b) => a - b);
  const q = (p: number) => {
    const pos = (p / 100) * (v.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: v.length,
    p50: r(q(50)),
    p95: r(q(95)),
    p99: r(q(99)),
    max: r(v[v.length - 1]),
    mean: r(v.reduce((s, x) => s + x, 0) / v.length),
  };
}

/** Seeded PRNG (mulberry32): the same request sequence in every mode and every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The request sequence: random layers, the four normalizations in turn. */
export function requests(n: number, seed = 42): { layer: number; norm: Normalization }[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ layer: Math.floor(r() * LAYERS), norm: NORMALIZATIONS[i % 4] }));
}
