/**
 * A3 collaboration vs specialization (PRODUCT.md §4, after C2R). From a layer's co-activation C
 * (E x E, zero diagonal): p_ij = C_ij / Σ_j C_ij; collaboration entropy H_i = -Σ_j p_ij ln p_ij
 * (nats; high = collaborates broadly, low = specialized to a few partners); Top-T collaborators =
 * the T experts with the largest C_ij; Top-T coverage = Σ over them of p_ij.
 */

import { meanOf } from "./stats";
export interface ExpertCollaboration {
  expert: number;
  /** Σ_j C_ij: co-activations with any other expert. */
  rowSum: number;
  /** null when the expert never co-activated (row sum 0). */
  entropy: number | null;
  topCollaborators: { expert: number; count: number; share: number }[];
  /** Share of the row covered by the Top-T collaborators; null for an empty row. */
  topCoverage: number | null;
}

export function collaboration(coactivation: ArrayLike<number>, experts: number, topT: number): ExpertCollaboration[] {
  return Array.from({ length: experts }, (_, i) => expertCollaboration(coactivation, experts, i, topT));
}

/** A3 for one expert i (row i of C). */
export function expertCollaboration(
  coactivation: ArrayLike<number>,
  experts: number,
  i: number,
  topT: number,
): ExpertCollaboration {
  let rowSum = 0;
  for (let j = 0; j < experts; j++) if (j !== i) rowSum += coactivation[i * experts + j];
  let entropy = 0;
  const partners: { expert: number; count: number; share: number }[] = [];
  for (let j = 0; j < experts; j++) {
    if (j === i) continue;
    const c = coactivation[i * experts + j];
    const p = rowSum > 0 ? c / rowSum : 0;
    if (p > 0) entropy -= p * Math.log(p);
    partners.push({ expert: j, count: c, share: p });
  }
  // Largest first; ties by lower id, so the list is deterministic.
  partners.sort((a, b) => b.count - a.count || a.expert - b.expert);
  const top = partners.slice(0, Math.max(0, Math.min(topT, experts - 1)));
  return {
    expert: i,
    rowSum,
    entropy: rowSum > 0 ? entropy : null,
    topCollaborators: top,
    topCoverage: rowSum > 0 ? top.reduce((s, x) => s + x.share, 0) : null,
  };
}

/** Mean collaboration entropy of a layer over the experts that co-activated at all. */
export function meanCollaborationEntropy(coactivation: ArrayLike<number>, experts: number): number | null {
  return meanOf(collaboration(coactivation, experts, 0).map((e) => e.entropy));
}
