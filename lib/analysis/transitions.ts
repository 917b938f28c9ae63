/**
 * A7 next-layer predictability (PRODUCT.md §4): with T[i][j] = tokens having i in the top-k at
 * layer l and j at l + 1, the most likely next expert of i is j*(i) = argmax_j T[i][j], and
 * q_i = T[i][j*] / load_i is how often it is really in the next top-k: what expert prefetching
 * (MoE-Infinity, ExFlow) relies on. The layer's predictability is Σ_i T[i][j*] / Σ_i load_i.
 */
export interface NextLayerPrediction {
  expert: number;
  next: number | null;
  /** q_i; null for an expert never selected at this layer. */
  hitRate: number | null;
}

export function nextLayerPredictability(transitions: ArrayLike<number>, load: ArrayLike<number>, experts: number) {
  const perExpert: NextLayerPrediction[] = [];
  let hits = 0;
  let total = 0;
  for (let i = 0; i < experts; i++) {
    let best = -1;
    let bestCount = -1;
    for (let j = 0; j < experts; j++) {
      const t = transitions[i * experts + j];
      if (t > bestCount) {
        bestCount = t;
        best = j;
      }
    }
    const li = load[i];
    perExpert.push({ expert: i, next: li > 0 && bestCount > 0 ? best : null, hitRate: li > 0 ? bestCount / li : null });
    if (li > 0) {
      hits += bestCount;
      total += li;
    }
  }
  return { perExpert, predictability: total > 0 ? hits / total : null };
}
