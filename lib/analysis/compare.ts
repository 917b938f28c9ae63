/**
 * A11 run comparison (PRODUCT.md §4), two runs of the same model layer by layer: Jensen-Shannon
 * distance of the load distributions, relative difference of per-token co-activation, and, for
 * paired runs over the same tokens, the top-k flip rate.
 */
import { meanOf } from "./stats";

/** One layer of a run's aggregates, as compared here (a LayerAggregate fits). */
export interface ComparedLayer {
  tokens: number;
  load: ArrayLike<number>;
  coactivation: ArrayLike<number>;
}

export type CompareScalar = "jsd" | "coactivationRelative" | "flipRate";

/** Shown next to every number (tools define these differently). */
export const COMPARE_DEFINITIONS: Record<CompareScalar, { label: string; definition: string; better: "low" | "high" }> =
  {
    jsd: {
      label: "JS distance",
      definition:
        "Jensen-Shannon distance between the two runs' load shares: √JSD with log base 2, so 0 = same distribution, 1 = no expert in common.",
      better: "low",
    },
    coactivationRelative: {
      label: "co-activation diff.",
      definition:
        "‖Ĉa − Ĉb‖ / mean(‖Ĉa‖, ‖Ĉb‖) (Frobenius, off-diagonal), Ĉ = C / N co-activations per token, so runs of any size compare: 0 = same, ≥ √2 = disjoint pairs, 2 = at most.",
      better: "low",
    },
    flipRate: {
      label: "top-k flip rate",
      definition:
        "Share of tokens (same tokens in both runs) whose set of selected experts changed; order within the top-k is ignored.",
      better: "low",
    },
  };

/**
 * Jensen-Shannon distance √JSD(P‖Q), base 2, of two non-negative vectors normalized to sum 1
 * (loads in, shares compared): JSD = ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q) / 2. Base 2 bounds it to
 * [0, 1], 1 for disjoint supports; it is a metric (scipy's jensenshannon(p, q, base=2)). null when
 * either vector sums to 0: a layer without load has no distribution.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number | null {
  if (p.length !== q.length) throw new Error(`cannot compare ${p.length} loads with ${q.length}`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && q[i] >= 0) || p[i] === Infinity || q[i] === Infinity)
      throw new Error(`load ${i} is ${p[i]} / ${q[i]}: loads must be finite and ≥ 0`);
    sp += p[i];
    sq += q[i];
  }
  if (sp === 0 || sq === 0) return null;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log2(a / m);
    if (b > 0) js += b * Math.log2(b / m);
  }
  // Rounding can leave js a hair below 0 or above 2 (= 2 · JSD).
  return Math.sqrt(Math.min(1, Math.max(0, js / 2)));
}

/**
 * Co-activation of run A minus run B, per token: D_ij = C^A_ij / N_A − C^B_ij / N_B (co-activation
 * shares, so runs of different sizes compare; zero diagonal), and the scalar
 * ‖D‖_F / ((‖Ĉa‖_F + ‖Ĉb‖_F) / 2) over off-diagonal cells. Reading: 0 = the same pairs co-fire
 * equally often; √2 or more = the runs co-activate disjoint sets of pairs; 2 = one run has none.
 * Loads are not needed (Ĉ is per token, not per load, so a shift of load shows here as well).
 * `relative` is null when neither run co-activated anything (or a run has no tokens).
 */
export function coactivationDifference(
  a: ComparedLayer,
  b: ComparedLayer,
  experts: number,
): { diff: Float64Array; relative: number | null } {
  const E = experts;
  if (a.coactivation.length !== E * E || b.coactivation.length !== E * E)
    throw new Error(`expected ${E * E} co-activation cells, got ${a.coactivation.length} and ${b.coactivation.length}`);
  const diff = new Float64Array(E * E);
  if (!(a.tokens > 0 && b.tokens > 0)) return { diff, relative: null };
  let na = 0;
  let nb = 0;
  let nd = 0;
  for (let i = 0; i < E; i++) {
    for (let j = 0; j < E; j++) {
      if (i === j) continue;
      const x = a.coactivation[i * E + j] / a.tokens;
      const y = b.coactivation[i * E + j] / b.tokens;
      diff[i * E + j] = x - y;
      na += x * x;
      nb += y * y;
      nd += (x - y) ** 2;
    }
  }
  const mean = (Math.sqrt(na) + Math.sqrt(nb)) / 2;
  return { diff, relative: mean > 0 ? Math.sqrt(nd) / mean : null };
}

/**
 * Tokens whose top-k set differs between two routings of the same tokens (k ids per token, -1 =
 * empty slot, ignored; order ignored: {1, 5} = {5, 1}). Returns a count, so batches can be
 * streamed and summed; flip rate = flips / tokens.
 */
export function topKFlips(k: number, idsA: ArrayLike<number>, idsB: ArrayLike<number>, count: number): number {
  if (idsA.length < count * k || idsB.length < count * k)
    throw new Error(`expected ${count * k} ids per run, got ${idsA.length} and ${idsB.length}`);
  const inOther = (ids: ArrayLike<number>, other: ArrayLike<number>, base: number) => {
    for (let s = 0; s < k; s++) {
      const e = ids[base + s];
      if (e < 0) continue;
      let found = false;
      for (let r = 0; r < k && !found; r++) found = other[base + r] === e;
      if (!found) return false;
    }
    return true;
  };
  let flips = 0;
  for (let t = 0; t < count; t++) if (!inOther(idsA, idsB, t * k) || !inOther(idsB, idsA, t * k)) flips++;
  return flips;
}

export interface RunComparison {
  perLayer: { layer: number; jsd: number | null; coactivationRelative: number | null }[];
  /** Means over the layers where the value is defined; null if none is. */
  meanJsd: number | null;
  meanCoactivationRelative: number | null;
}

/** A11 per layer for two runs of the same model (same layers, same experts). */
export function compareRuns(
  layersA: readonly ComparedLayer[],
  layersB: readonly ComparedLayer[],
  experts: number,
): RunComparison {
  if (layersA.length !== layersB.length)
    throw new Error(`cannot compare runs of ${layersA.length} and ${layersB.length} layers`);
  const perLayer = layersA.map((a, layer) => {
    const b = layersB[layer];
    return {
      layer,
      jsd: jensenShannonDistance(a.load, b.load),
      coactivationRelative: coactivationDifference(a, b, experts).relative,
    };
  });
  return {
    perLayer,
    meanJsd: meanOf(perLayer.map((l) => l.jsd)),
    meanCoactivationRelative: meanOf(perLayer.map((l) => l.coactivationRelative)),
  };
}

/**
 * The N-run comparison's matrix (GET /api/compare?runs=): for each run r and layer l the JS
 * distance of its loads to the base run's at that layer (jensenShannonDistance), so the base row is
 * 0 wherever it has load and null where either run has none. `loads[r][l]` is run r's load at layer l.
 */
export function jsdToBase(loads: readonly (readonly ArrayLike<number>[])[], base: number): (number | null)[][] {
  const ref = loads[base];
  return loads.map((run) => run.map((load, l) => jensenShannonDistance(load, ref[l])));
}
