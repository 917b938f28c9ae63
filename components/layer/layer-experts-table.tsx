"use client";

import Link from "next/link";
import { memo, useMemo } from "react";
import { LOAD_SHARE_DEFINITION } from "@/lib/analysis/metric-definitions";
import type { ExpertsView } from "@/lib/query/api-types";
import { DefinitionNote } from "@/components/ui/definition-note";
import { formatValue } from "@/components/viz/format";
import { sortExperts, type ExpertSort, type SortDir } from "./expert-table-sort";

const ENTROPY_DEFINITION =
  "Collaboration entropy H_i = −Σ_j p_ij ln p_ij with p_ij = C_ij / Σ_j C_ij (nats): low when expert i co-activates with a few experts, high when with many.";
const COVERAGE_DEFINITION =
  "The Top-T collaborators: the T experts that co-activate most with this one; coverage is the share of its co-activations they account for.";
const KL_DEFINITION =
  "Label KL: KL(p(label | expert) ‖ overall label mix) in nats (A8): 0 when the expert sees labels as the whole layer does, high when it specializes.";

const COLUMNS: { sort: ExpertSort; label: string; note?: string; first: SortDir }[] = [
  { sort: "expert", label: "expert", first: "asc" },
  { sort: "load", label: "load", first: "desc" },
  { sort: "share", label: "load share", note: LOAD_SHARE_DEFINITION, first: "desc" },
  { sort: "entropy", label: "collab. entropy", note: ENTROPY_DEFINITION, first: "asc" },
  { sort: "coverage", label: "top collaborators (coverage)", note: COVERAGE_DEFINITION, first: "desc" },
  { sort: "kl", label: "label KL", note: KL_DEFINITION, first: "desc" },
];

interface Props {
  runId: string;
  answer: ExpertsView;
  sort: ExpertSort;
  dir: SortDir;
  onSort: (sort: ExpertSort, dir: SortDir) => void;
}

/**
 * Every expert of one layer in a sortable table (load, share, collaboration entropy, Top-T
 * collaborators, label KL), from GET /api/runs/{id}/experts. Memoized: a layer switch re-renders it
 * once, when its own answer arrives, not on every key press.
 */
function LayerExpertsTableImpl({ runId, answer, sort, dir, onSort }: Props) {
  const rows = useMemo(() => sortExperts(answer.experts, sort, dir), [answer, sort, dir]);
  const hasLabels = answer.labelMix !== null;
  const layer = answer.layer;
  const uniform = answer.uniformShare;
  return (
    <section
      id="layer-experts"
      aria-label="experts of this layer"
      className="text-sm"
      data-testid="layer-experts"
      data-layer={layer}
    >
      <h2 className="mb-1 font-semibold">Experts of layer {layer}</h2>
      <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
        {answer.experts.length} experts, top-{answer.topT} collaborators each; balanced load share would be{" "}
        {formatValue(uniform)}. Click a column to sort (again to reverse); unknown values stay last.
      </p>
      <div className="max-h-[28rem] overflow-auto rounded border border-zinc-200 dark:border-zinc-700">
        <table className="w-full text-xs" data-testid="layer-experts-table">
          <thead className="sticky top-0 bg-white dark:bg-zinc-900">
            <tr className="text-left">
              {COLUMNS.filter((c) => c.sort !== "kl" || hasLabels).map((c) => {
                const active = c.sort === sort;
                const next: SortDir = active ? (dir === "asc" ? "desc" : "asc") : c.first;
                return (
                  <th
                    key={c.sort}
                    className={`px-2 py-1 font-medium whitespace-nowrap ${c.sort === "expert" || c.sort === "coverage" ? "" : "text-right"}`}
                    aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}
                  >
                    <button
                      type="button"
                      className="underline-offset-2 hover:underline"
                      data-testid={`sort-${c.sort}`}
                      onClick={() => onSort(c.sort, next)}
                    >
                      {c.label}
                      {active ? (dir === "asc" ? " ▲" : " ▼") : ""}
                    </button>
                    {c.note ? <DefinitionNote text={c.note} /> : null}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.expert} className="border-t border-zinc-100 dark:border-zinc-800" data-expert={r.expert}>
                <td className="px-2 py-0.5">
                  <Link
                    href={`/runs/${runId}/experts/${r.expert}?layer=${layer}`}
                    className="font-mono text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                  >
                    #{r.expert}
                  </Link>
                </td>
                <td className={`num px-2 py-0.5 text-right ${r.load === 0 ? "text-red-600" : ""}`}>
                  {formatValue(r.load)}
                </td>
                <td className="num px-2 py-0.5 text-right">{formatValue(r.loadShare)}</td>
                <td className="num px-2 py-0.5 text-right">{formatValue(r.collaborationEntropy)}</td>
                <td className="px-2 py-0.5">
                  {r.topCollaborators.length ? (
                    <>
                      {r.topCollaborators.map((c) => (
                        <span key={c.expert} className="mr-1 font-mono" title={`co-activated ${c.count} times`}>
                          #{c.expert}
                        </span>
                      ))}
                      <span className="num text-zinc-500">({formatValue(r.topCoverage)})</span>
                    </>
                  ) : (
                    <span className="text-zinc-500">none</span>
                  )}
                </td>
                {hasLabels ? <td className="num px-2 py-0.5 text-right">{formatValue(r.labelKl)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const LayerExpertsTable = memo(LayerExpertsTableImpl);
