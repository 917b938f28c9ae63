import { interpolateViridis } from "d3";

/**
 * Layer × expert, colored by the step in which each expert was dropped (gray: kept). With the trace
 * run it came from, each cell links to that expert's page at that layer.
 */
export function DropStepMap({ name, steps, dropStep, runId }: { name: string; steps: number; dropStep: number[][]; runId: string | null }) {
  const L = dropStep.length;
  const E = dropStep[0]?.length ?? 0;
  const cell = Math.max(4, Math.min(16, Math.floor(256 / Math.max(E, 1))));
  const rowH = Math.max(3, Math.min(12, Math.floor(384 / Math.max(L, 1))));
  const color = (s: number) => (s === 0 ? "#e4e4e7" : interpolateViridis(steps > 1 ? (s - 1) / (steps - 1) : 0));
  return (
    <figure className="text-xs" data-testid="drop-step-map">
      <figcaption className="mb-1 font-medium">{name}</figcaption>
      <svg width={E * cell + 30} height={L * rowH + 14} role="img" aria-label={`${name}: step in which each expert of each layer was dropped`}>
        {dropStep.map((row, l) =>
          row.map((s, e) => {
            const rect = (
              <rect x={30 + e * cell} y={l * rowH} width={cell - 1} height={rowH - 1} fill={color(s)}>
                <title>{`layer ${l}, expert ${e}: ${s ? `dropped at step ${s}` : "kept"}`}</title>
              </rect>
            );
            return runId && s ? (
              <a key={`${l}-${e}`} href={`/runs/${runId}/experts/${e}?layer=${l}`}>
                {rect}
              </a>
            ) : (
              <g key={`${l}-${e}`}>{rect}</g>
            );
          }),
        )}
        {Array.from({ length: L }, (_, l) =>
          l % Math.ceil(L / 8) === 0 ? (
            <text key={l} x={26} y={l * rowH + rowH - 1} textAnchor="end" fontSize={9} fill="currentColor">
              {l}
            </text>
          ) : null,
        )}
        <text x={30} y={L * rowH + 11} fontSize={9} fill="currentColor">
          experts 0–{E - 1} →
        </text>
      </svg>
      <div className="mt-1 flex items-center gap-1">
        {Array.from({ length: steps }, (_, i) => (
          <span key={i} className="inline-flex items-center gap-0.5">
            <span className="inline-block h-2 w-3" style={{ background: color(i + 1) }} />
            {i + 1}
          </span>
        ))}
        <span className="ml-2 inline-flex items-center gap-0.5">
          <span className="inline-block h-2 w-3 bg-zinc-200" /> kept
        </span>
      </div>
    </figure>
  );
}
