import { HOT_FACTOR, type BalanceScalar } from "./balance";
import type { SeriesMetric } from "./series-metrics";

/** How each A1 metric is defined, shown next to every number (tools define these differently). */
export const BALANCE_DEFINITIONS: Record<BalanceScalar, { label: string; definition: string; better: "low" | "high" }> =
  {
    maxOverMean: {
      label: "max / mean",
      definition: "Largest expert load divided by the mean load (1 = perfectly balanced).",
      better: "low",
    },
    imbalance: {
      label: "imbalance",
      definition: "(max − mean) / mean of expert loads, as TensorRT-LLM reports it (0 = balanced).",
      better: "low",
    },
    balancedness: {
      label: "balancedness",
      definition: "mean / max of expert loads, as vLLM reports it (1 = balanced).",
      better: "high",
    },
    cv: {
      label: "CV",
      definition: "Coefficient of variation: population standard deviation of loads / mean load (0 = balanced).",
      better: "low",
    },
    gini: {
      label: "Gini",
      definition: "Gini coefficient of expert loads (0 = equal; (E−1)/E = one expert takes all).",
      better: "low",
    },
    normalizedEntropy: {
      label: "norm. entropy",
      definition: "Entropy of the load shares H(P) / ln E (1 = uniform).",
      better: "high",
    },
    jain: {
      label: "Jain",
      definition: "Jain's fairness index (Σx)² / (E·Σx²) (1 = uniform, 1/E = one expert).",
      better: "high",
    },
  };

/** The two shares of an expert's load, which tools (and this page, before) easily confuse. */
export const LOAD_SHARE_DEFINITION =
  "Load share: load_i / Σ_j load_j, the expert's share of the layer's routed assignments (sums to 1 over experts; 1/E when balanced).";
export const TOKEN_SHARE_DEFINITION =
  "Token share: P_i = load_i / N, the share of the layer's N tokens whose top-k includes this expert (sums to k over experts).";

export const DEAD_DEFINITION = "Dead: experts never selected in this layer (load 0).";
export const HOT_DEFINITION = `Hot: experts whose load is at least ${HOT_FACTOR}× the mean load of the layer.`;

export const CT_DEFINITION =
  "C_T: mean number of distinct devices a token's top-k experts live on, i.e. copies the all-to-all sends per token (k without co-location).";

/** The series page's metrics (against step, and per layer), each with its label and definition. */
export const SERIES_METRIC_DEFINITIONS: Record<SeriesMetric, { label: string; definition: string }> = {
  ...(Object.fromEntries(
    Object.entries(BALANCE_DEFINITIONS).map(([k, v]) => [k, { label: v.label, definition: v.definition }]),
  ) as Record<BalanceScalar, { label: string; definition: string }>),
  dead: {
    label: "dead experts",
    definition: `${DEAD_DEFINITION} Per layer a count; against step, the mean over layers.`,
  },
  hot: { label: "hot experts", definition: `${HOT_DEFINITION} Per layer a count; against step, the mean over layers.` },
  collaborationEntropy: {
    label: "collaboration entropy",
    definition:
      "A3: H_i = −Σ_j p_ij ln p_ij with p_ij = C_ij / Σ_j C_ij (nats), averaged over the experts that co-activated; low = experts work in fixed groups.",
  },
  topCoverage: {
    label: "Top-T coverage",
    definition: "A3: Σ of p_ij over expert i's T strongest collaborators, averaged over experts; high = groups.",
  },
  predictability: {
    label: "next-layer predictability",
    definition:
      "A7: Σ_i T[i][j*(i)] / Σ_i load_i, how often expert i's most likely next-layer expert is in the next top-k (none at the last layer).",
  },
  ct: { label: "C_T", definition: CT_DEFINITION },
};
