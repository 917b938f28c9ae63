/**
 * The one mean (and sum) over per-layer or per-expert values where some are unknown (null: a layer
 * without tokens, an expert that never co-activated). Unknown values are left out, not counted as 0;
 * with none known the answer is null, never NaN or 0.
 */
export function meanOf(xs: Iterable<number | null | undefined>): number | null {
  let sum = 0;
  let n = 0;
  for (const x of xs) {
    if (x === null || x === undefined) continue;
    sum += x;
    n++;
  }
  return n ? sum / n : null;
}

/** Σ of the known values; null when none is known (so "no bytes known" is not "0 bytes"). */
export function sumOf(xs: Iterable<number | null | undefined>): number | null {
  let sum = 0;
  let known = false;
  for (const x of xs) {
    if (x === null || x === undefined) continue;
    sum += x;
    known = true;
  }
  return known ? sum : null;
}
