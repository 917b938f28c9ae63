import type { ScaleLinear } from "d3";
import { formatValue } from "./format";

/** Horizontal grid lines with their values on the left, for the SVG charts. */
export function YGrid({
  y,
  ticks,
  left,
  right,
}: {
  y: ScaleLinear<number, number>;
  ticks: number;
  left: number;
  right: number;
}) {
  return (
    <>
      {y.ticks(ticks).map((t) => (
        <g key={t} transform={`translate(0,${y(t)})`}>
          <line x1={left} x2={right} stroke="currentColor" strokeOpacity={0.12} />
          <text x={left - 6} dy="0.32em" textAnchor="end" fontSize={10} fill="currentColor">
            {formatValue(t)}
          </text>
        </g>
      ))}
    </>
  );
}
