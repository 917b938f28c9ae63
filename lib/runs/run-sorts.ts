/** What the runs index sorts by (the request schema, the query and the index page share it). */
export const RUN_SORTS = [
  "created",
  "name",
  "model",
  "policy",
  "series",
  "tags",
  "tokens",
  "events",
  "balance",
  "entropy",
] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** Text columns read A→Z by default, numbers and dates largest (newest) first. */
export function defaultOrder(sort: RunSort): "asc" | "desc" {
  return sort === "name" || sort === "model" || sort === "policy" || sort === "series" || sort === "tags"
    ? "asc"
    : "desc";
}

/** A page of the runs index: at most this many runs per answer (and the default). */
export const MAX_RUNS_PAGE = 1000;
