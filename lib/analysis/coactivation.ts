/** A2 co-activation normalizations (PRODUCT.md §4). Matrices are row-major E x E. */
export const NORMALIZATIONS = ["raw", "conditional", "jaccard", "lift"] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export const NORMALIZATION_DEFINITIONS: Record<Normalization, string> = {
  raw: "C_ij: tokens that selected both expert i and expert j",
  conditional: "P(j | i) = C_ij / load_i: of the tokens routed to i (row), the share also routed to j (column)",
  jaccard: "C_ij / (load_i + load_j − C_ij): overlap of the two experts' token sets",
  lift: "C_ij · N / (load_i · load_j): co-activation relative to independent selections (1 = independent). Under top-k without replacement, routing that ignores the input gives (k−1)E / (k(E−1)), not 1 (0.57 for top-2 of 8); the collaboration graph divides by that baseline",
};

/**
 * Lift under input-independent routing: each token picks k distinct experts of E uniformly. Then
 * P(i and j) = k(k−1) / (E(E−1)) and P(i) = k / E, so lift = P(i and j) / (P(i) P(j)) =
 * (k−1)E / (k(E−1)), below 1 because an expert cannot take two of a token's k slots (0.571 for
 * Mixtral's top-2 of 8, 0.889 for OLMoE's top-8 of 64, 1 for k = E). Null for k = 1 (no token
 * has two experts: co-activation is empty, lift undefined) or E < 2.
 */
export function liftBaseline(topK: number, experts: number): number | null {
  if (!Number.isInteger(topK) || !Number.isInteger(experts) || topK < 1 || topK > experts)
    throw new Error(`liftBaseline: top-k ${topK} of ${experts} experts is not a routing`);
  if (topK === 1 || experts < 2) return null;
  return ((topK - 1) * experts) / (topK * (experts - 1));
}

export const NORMALIZED_LIFT_DEFINITION =
  "Normalized lift = lift / ((k−1)E / (k(E−1))) = C_ij · N · k(E−1) / (load_i · load_j · (k−1)E): lift divided by its value when every token takes k distinct experts uniformly at random, so 1 = no more co-activation than input-independent top-k routing, above 1 = the pair works together more than chance. For top-1 routing co-activation is empty and the graph has no edges.";

/**
 * Normalizes a co-activation matrix. Cells whose denominator is 0 (an expert that was never
 * selected) are 0: no evidence of co-activation. The diagonal stays 0.
 */
export function normalizeCoactivation(
  coactivation: Float64Array,
  load: ArrayLike<number>,
  tokens: number,
  normalization: Normalization,
): Float64Array {
  const E = load.length;
  if (coactivation.length !== E * E)
    throw new Error(`coactivation has ${coactivation.length} cells, expected ${E * E}`);
  if (normalization === "raw") return Float64Array.from(coactivation);
  const out = new Float64Array(E * E);
  for (let i = 0; i < E; i++) {
    const li = load[i];
    for (let j = 0; j < E; j++) {
      if (i === j) continue;
      const c = coactivation[i * E + j];
      const lj = load[j];
      let denom: number;
      let num = c;
      if (normalization === "conditional") denom = li;
      else if (normalization === "jaccard") denom = li + lj - c;
      else {
        denom = li * lj;
        num = c * tokens;
      }
      out[i * E + j] = denom > 0 ? num / denom : 0;
    }
  }
  return out;
}

/** Smallest and largest off-diagonal value, for color scales. */
export function offDiagonalExtent(matrix: ArrayLike<number>, experts: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < experts; i++) {
    for (let j = 0; j < experts; j++) {
      if (i === j) continue;
      const v = matrix[i * experts + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? [min, max] : [0, 0];
}
