import { interpolateViridis } from "d3";

const LEFT = 44;

/**
 * Layer × expert, colored by the step in which each expert was dropped (gray: kept). With the trace
 * run it came from, each cell links to that expert's page at that layer. Rows are MoE layers and
 * columns expert ids, both axes titled; the caption is the run's row name (pruningRowNames).
 */
export function DropStepMap({
  name,
  steps,
  dropStep,
  runId,
  percents,
}: {
  name: string;
  steps: number;
  dropStep: number[][];
  runId: string | null;
  percents?: number[];
}) {
  const L = dropStep.length;
  const E = dropStep[0]?.length ?? 0;
  const cell = Math.max(4, Math.min(16, Math.floor(256 / Math.max(E, 1))));
  const rowH = Math.max(3, Math.min(12, Math.floor(384 / Math.max(L, 1))));
  const color = (s: number) => (s === 0 ? "#e4e4e7" : interpolateViridis(steps > 1 ? (s - 1) / (steps - 1) : 0));
  const everyE = Math.ceil(E / 8);
  return (
    <figure className="text-xs" data-testid="drop-step-map" data-name={name}>
      <figcaption className="mb-1 max-w-80 font-medium">{name}</figcaption>
      <svg
        width={LEFT + E * cell + 8}
        height={L * rowH + 30}
        role="img"
        aria-label={`${name}: step in which each expert of each MoE layer was dropped`}
        className="text-zinc-700 dark:text-zinc-300"
      >
        <text
          transform={`translate(9,${(L * rowH) / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize={10}
          fill="currentColor"
          data-testid="drop-map-y-title"
        >
          MoE layer
        </text>
        {dropStep.map((row, l) =>
          row.map((s, e) => {
            const rect = (
              <rect x={LEFT + e * cell} y={l * rowH} width={cell - 1} height={rowH - 1} fill={color(s)}>
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
            <text key={l} x={LEFT - 4} y={l * rowH + rowH - 1} textAnchor="end" fontSize={9} fill="currentColor">
              {l}
            </text>
          ) : null,
        )}
        {Array.from({ length: E }, (_, e) =>
          e % everyE === 0 ? (
            <text
              key={e}
              x={LEFT + e * cell + (cell - 1) / 2}
              y={L * rowH + 10}
              textAnchor="middle"
              fontSize={9}
              fill="currentColor"
            >
              {e}
            </text>
          ) : null,
        )}
        <text
          x={LEFT + (E * cell) / 2}
          y={L * rowH + 24}
          textAnchor="middle"
          fontSize={10}
          fill="currentColor"
          data-testid="drop-map-x-title"
        >
          expert id
        </text>
      </svg>
      <div className="mt-1 flex flex-wrap items-center gap-1">
        <span className="mr-1">dropped at step:</span>
        {Array.from({ length: steps }, (_, i) => (
          <span key={i} className="inline-flex items-center gap-0.5">
            <span className="inline-block h-2 w-3" style={{ background: color(i + 1) }} />
            {i + 1}
            {percents?.[i] !== undefined ? ` (${percents[i]}%)` : ""}
          </span>
        ))}
        <span className="ml-2 inline-flex items-center gap-0.5">
          <span className="inline-block h-2 w-3 bg-zinc-200" /> kept
        </span>
      </div>
    </figure>
  );
}
