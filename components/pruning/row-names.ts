/**
 * One name per pruning run for every row, legend entry and caption of the pruning views: its name,
 * and where two shown runs share a name (MC-Suite's "Min-EAN one-shot" of Table 2, perplexity, and
 * of Table 3, MMLU), the shortest part of its source that tells them apart after it: the source's
 * last comma-separated part ("Table 3"), else the whole source, else the id.
 */
export function pruningRowNames(runs: readonly { id: string; name: string; source: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  const byName = new Map<string, (typeof runs)[number][]>();
  for (const r of runs) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const tail = (source: string) => source.split(",").pop()!.trim();
  const unique = (group: (typeof runs)[number][], key: (r: (typeof runs)[number]) => string) =>
    group.every((r) => r.source && group.filter((o) => key(o) === key(r)).length === 1);
  for (const [name, group] of byName) {
    for (const r of group) {
      if (group.length === 1) out.set(r.id, name);
      else if (unique(group, (x) => tail(x.source))) out.set(r.id, `${name} (${tail(r.source)})`);
      else if (unique(group, (x) => x.source)) out.set(r.id, `${name} (${r.source})`);
      else out.set(r.id, `${name}${r.source ? ` (${r.source})` : ""} #${r.id}`);
    }
  }
  return out;
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
