/**
 * How an upload's sums are added to a run's: the one fold that both committing an upload and
 * deleting one use. A commit adds the new upload to the stored totals; a delete starts from
 * nothing and adds the remaining uploads in commit order. Float addition is not associative and
 * (a + b) - b need not be a, so a delete never subtracts: it repeats exactly the additions a run
 * that never had the upload would have made, and gets its aggregates bit for bit.
 *
 * Pure (typed arrays in and out): lib/db/queries/uploads.ts reads and writes the rows around it.
 */
import type { LabelLoad, LayerAggregate } from "./layer-aggregate";

/** One layer of one upload's sums (or of a run's totals). */
export interface LayerSums {
  layer: number;
  tokens: number;
  load: Float64Array;
  weightSum: Float64Array;
  coactivation: Float64Array;
  /** E*E counts to the next MoE layer, or null where the upload could not tell. */
  transitions: Float64Array | null;
}

/** One label of one upload's load per label (or of a run's totals): tokens[L], load[L*E]. */
export interface LabelSums {
  label: string;
  tokens: Float64Array;
  load: Float64Array;
}

function addInto(a: Float64Array, b: Float64Array) {
  if (a.length !== b.length) throw new Error(`cannot add sums of ${b.length} values to sums of ${a.length}`);
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** Adds `add` into `totals` in place (a layer not there yet starts as a copy); returns the layers it changed. */
export function addLayerSums(totals: Map<number, LayerSums>, add: readonly LayerSums[]): number[] {
  for (const s of add) {
    const row = totals.get(s.layer);
    if (!row) {
      totals.set(s.layer, {
        ...s,
        load: s.load.slice(),
        weightSum: s.weightSum.slice(),
        coactivation: s.coactivation.slice(),
        transitions: s.transitions?.slice() ?? null,
      });
      continue;
    }
    row.tokens += s.tokens;
    addInto(row.load, s.load);
    addInto(row.weightSum, s.weightSum);
    addInto(row.coactivation, s.coactivation);
    if (s.transitions) {
      if (row.transitions) addInto(row.transitions, s.transitions);
      else row.transitions = s.transitions.slice();
    }
  }
  return add.map((s) => s.layer);
}

/** Adds per-label loads into `totals` in place, as addLayerSums does for layers. */
export function addLabelSums(totals: Map<string, LabelSums>, add: readonly LabelSums[]) {
  for (const s of add) {
    const row = totals.get(s.label);
    if (!row) {
      totals.set(s.label, { label: s.label, tokens: s.tokens.slice(), load: s.load.slice() });
      continue;
    }
    addInto(row.tokens, s.tokens);
    addInto(row.load, s.load);
  }
}

/**
 * An upload's own sums, kept beside it so a later delete can re-add the rest: the layers it touches
 * only (a layer with no tokens and no transitions is left out, so it leaves the run's row as it is).
 * `transitions[l]` holds the counts from layer l to l + 1, null where the upload cannot tell.
 */
export function ownLayerSums(
  layers: readonly LayerAggregate[],
  transitions: readonly (Float64Array | null)[] | null,
): LayerSums[] {
  const out: LayerSums[] = [];
  layers.forEach((a, l) => {
    const t = transitions?.[l] ?? null;
    if (a.tokens === 0 && !t) return;
    out.push({
      layer: l,
      tokens: a.tokens,
      load: a.load,
      weightSum: a.weightSum,
      coactivation: a.coactivation,
      transitions: t,
    });
  });
  return out;
}

/** An upload's per-label loads, one per label it names (`labelLoads[i]` belongs to `labels[i]`; a label without loads is left out). */
export function ownLabelSums(labels: readonly string[], labelLoads: readonly (LabelLoad | undefined)[]): LabelSums[] {
  return labels.flatMap((label, i) =>
    labelLoads[i] ? [{ label, tokens: labelLoads[i].tokens, load: labelLoads[i].load }] : [],
  );
}

/** A run's token count from its layer totals: every token passes every MoE layer, so the largest layer count (0 with none). */
export function runTokens(totals: Iterable<LayerSums>): number {
  let n = 0;
  for (const s of totals) if (s.tokens > n) n = s.tokens;
  return n;
}
