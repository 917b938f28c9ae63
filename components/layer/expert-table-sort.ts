import type { ExpertSort } from "@/lib/url/layer-view-state";

/** How the rows of a layer's expert table order by its columns (the layer page's `esort`, `edir`). */
export type { ExpertSort };
export type SortDir = "asc" | "desc";

export interface SortableExpert {
  expert: number;
  load: number;
  loadShare: number;
  collaborationEntropy: number | null;
  topCoverage: number | null;
  labelKl: number | null;
}

const KEYS: Record<ExpertSort, (r: SortableExpert) => number | null> = {
  expert: (r) => r.expert,
  load: (r) => r.load,
  share: (r) => r.loadShare,
  entropy: (r) => r.collaborationEntropy,
  coverage: (r) => r.topCoverage,
  kl: (r) => r.labelKl,
};

/**
 * Rows ordered by one column: unknown values (an expert that never co-activated has no entropy, a
 * run without labels no KL) go last in either direction, ties by expert id ascending, so the order
 * is total and the same on the server render, the live page and a share.
 */
export function sortExperts<R extends SortableExpert>(rows: readonly R[], by: ExpertSort, dir: SortDir): R[] {
  const key = KEYS[by];
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? a.expert - b.expert : x === null ? 1 : -1;
    return (x - y) * sign || a.expert - b.expert;
  });
}
