/** A2 co-activation normalizations (PRODUCT.md §4). Matrices are row-major E x E. */
export const NORMALIZATIONS = ["raw", "conditional", "jaccard", "lift"] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export const NORMALIZATION_DEFINITIONS: Record<Normalization, string> = {
  raw: "C_ij: tokens that selected both expert i and expert j",
  conditional: "P(j | i) = C_ij / load_i: of the tokens routed to i (row), the share also routed to j (column)",
  jaccard: "C_ij / (load_i + load_j − C_ij): overlap of the two experts' token sets",
  lift: "C_ij · N / (load_i · load_j): co-activation relative to independent routing (1 = independent)",
};

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
  if (coactivation.length !== E * E) throw new Error(`coactivation has ${coactivation.length} cells, expected ${E * E}`);
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
export function offDiagonalExtent(matrix: Float64Array, experts: number): [number, number] {
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
