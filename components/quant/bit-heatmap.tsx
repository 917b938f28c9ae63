import type { QuantResultView } from "@/lib/query/api-types";
import { BitLegend } from "./bit-legend";
import { bitColor } from "./bit-palette";

/** Layer × expert bits of one allocation (attention and shared bits beside it). */
export function BitHeatmap({ result }: { result: QuantResultView }) {
  const rows = result.bits.experts;
  const L = rows.length;
  const E = rows[0]?.length ?? 0;
  const values = [...new Set(rows.flat())].sort((a, b) => a - b);
  const cell = Math.max(4, Math.min(24, Math.floor(320 / Math.max(E, 1))));
  const rowH = Math.max(3, Math.min(14, Math.floor(448 / Math.max(L, 1))));
  return (
    <figure className="text-xs" data-testid="bit-heatmap">
      <figcaption className="mb-1 font-medium">
        {result.name}: bits per expert (attention {result.bits.attention}
        {result.bits.shared !== undefined ? `, shared ${result.bits.shared}` : ""})
      </figcaption>
      <svg
        width={E * cell + 34}
        height={L * rowH + 16}
        role="img"
        aria-label={`bit allocation of ${result.name}, layer by expert`}
      >
        <text
          transform={`translate(8,${(L * rowH) / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize={9}
          fill="currentColor"
        >
          MoE layer
        </text>
        {rows.map((row, l) =>
          row.map((b, e) => (
            <rect
              key={`${l}-${e}`}
              x={34 + e * cell}
              y={l * rowH}
              width={cell - 1}
              height={rowH - 1}
              fill={bitColor(b)}
              data-bits={b}
            >
              <title>{`layer ${l}, expert ${e}: ${b} bits`}</title>
            </rect>
          )),
        )}
        {rows.map((_, l) =>
          l % Math.ceil(L / 8) === 0 ? (
            <text key={l} x={30} y={l * rowH + rowH - 1} textAnchor="end" fontSize={9} fill="currentColor">
              {l}
            </text>
          ) : null,
        )}
        <text x={34} y={L * rowH + 12} fontSize={9} fill="currentColor">
          experts 0–{E - 1} →
        </text>
      </svg>
      <BitLegend widths={values} />
    </figure>
  );
}
