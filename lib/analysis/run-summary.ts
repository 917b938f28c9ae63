/**
 * The two per-run numbers the runs table sorts by (issue 14 item 3), from a run's per-layer sums:
 *
 * - mean balance: the layer mean of A1's normalized load entropy H(P) / ln E (1 = every expert
 *   takes the same share, 0 = one expert takes all). Chosen over max/mean or mean/max because it
 *   reads every expert's share, not only the hottest one's, and is bounded in [0, 1] at any E.
 * - mean collaboration entropy: the layer mean of A3's mean collaboration entropy (nats).
 *
 * Layers without tokens (or without co-activation) are left out of the means (meanOf); a run with
 * none has null. Stored on the run row when an upload commits or is deleted (lib/db/queries/uploads.ts).
 */
import { balanceMetrics } from "./balance";
import { meanCollaborationEntropy } from "./collaboration";
import { meanOf } from "./stats";

export interface RunSummary {
  meanBalance: number | null;
  meanCollaborationEntropy: number | null;
}

export const RUN_SUMMARY_DEFINITIONS: Record<keyof RunSummary, string> = {
  meanBalance:
    "Layer mean of the normalized load entropy H(P) / ln E: 1 = perfectly balanced, 0 = one expert takes all.",
  meanCollaborationEntropy:
    "Layer mean of the mean collaboration entropy H_i = −Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij (nats; low = specialized).",
};

export function runSummary(
  layers: Iterable<{ tokens: number; load: ArrayLike<number>; coactivation: ArrayLike<number> }>,
): RunSummary {
  const balance: (number | null)[] = [];
  const entropy: (number | null)[] = [];
  for (const l of layers) {
    if (!(l.tokens > 0)) continue;
    const h = balanceMetrics(l.load).normalizedEntropy;
    // E = 1 has no entropy to normalize by (0 / ln 1).
    balance.push(h !== null && Number.isFinite(h) ? h : null);
    entropy.push(meanCollaborationEntropy(l.coactivation, l.load.length));
  }
  return { meanBalance: meanOf(balance), meanCollaborationEntropy: meanOf(entropy) };
}
