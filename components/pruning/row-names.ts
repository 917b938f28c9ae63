/**
 * One name per pruning run for every row, legend entry and caption of the pruning views: its name,
 * and where two shown runs share a name (MC-Suite's "Min-EAN one-shot" of Table 2, perplexity, and
 * of Table 3, MMLU), its source after it; the id as a last resort.
 */
export function pruningRowNames(runs: readonly { id: string; name: string; source: string }[]): Map<string, string> {
  const count = (key: (r: (typeof runs)[number]) => string) => {
    const m = new Map<string, number>();
    for (const r of runs) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return m;
  };
  const byName = count((r) => r.name);
  const withSource = (r: (typeof runs)[number]) => (r.source ? `${r.name} (${r.source})` : r.name);
  const bySource = count(withSource);
  return new Map(runs.map((r) => [r.id, byName.get(r.name)! === 1 ? r.name : bySource.get(withSource(r))! === 1 ? withSource(r) : `${withSource(r)} #${r.id}`]));
}

/** What a pruning metric measures, with its unit, for axis titles; unknown metrics keep their name. */
export const PRUNING_METRIC_AXIS: Record<string, string> = {
  c4_perplexity: "C4 perplexity (lower is better)",
  mmlu_zero_shot: "MMLU zero-shot accuracy (%)",
  routing_mass_retained: "routing mass retained (share of gate mass, 0–1)",
  flip_rate: "top-k flip rate (share of tokens, 0–1)",
  max_over_mean: "max / mean expert load (ratio, 1 = balanced)",
  c_t: "C_T (distinct devices per token)",
};

export const metricAxisTitle = (metric: string) => PRUNING_METRIC_AXIS[metric] ?? `${metric} (unit as imported)`;
