import { formatValue } from "@/components/viz/format";

/**
 * Shared pieces of the lab's line charts, laid out so labels never collide: the legend has its own
 * row under the title, the selected layer's reference line is labelled inside the plot (anchored
 * away from the edges), and the x ticks sit under the axis, clear of the y labels.
 */
export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
}

export function Legend({ items, x, y }: { items: LegendItem[]; x: number; y: number }) {
  // 6 px a character at 10 px is generous for the lab's labels: no two items overlap.
  const offsets = items.map((_, i) => items.slice(0, i).reduce((s, it) => s + 28 + 6 * it.label.length, 0));
  return (
    <g aria-label="legend">
      {items.map((s, i) => (
        <g key={s.label} transform={`translate(${x + offsets[i]},${y})`}>
          <line
            x1={0}
            x2={16}
            y1={-3}
            y2={-3}
            stroke={s.color}
            strokeWidth={2}
            strokeDasharray={s.dashed ? "4 3" : undefined}
          />
          <text x={20} y={0} fontSize={10} fill="currentColor">
            {s.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** The selected layer: a dashed line, labelled at its top, the label kept inside [left, right]. */
export function LayerMarker({
  x,
  top,
  bottom,
  left,
  right,
  layer,
}: {
  x: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  layer: number;
}) {
  const anchor = x - left < 30 ? "start" : right - x < 30 ? "end" : "middle";
  const dx = anchor === "start" ? 3 : anchor === "end" ? -3 : 0;
  return (
    <g data-testid="layer-marker">
      <line x1={x} x2={x} y1={top} y2={bottom} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="3 3" />
      <text x={x + dx} y={top + 10} textAnchor={anchor} fontSize={9} fill="currentColor" fillOpacity={0.7}>
        layer {layer}
      </text>
    </g>
  );
}

/** x ticks (integers: layers) under the plot; the first is anchored at its start so it never runs into the y labels. */
export function LayerTicks({
  ticks,
  x,
  y,
  left,
}: {
  ticks: number[];
  x: (t: number) => number;
  y: number;
  left: number;
}) {
  return (
    <>
      {ticks.map((t) => (
        <text
          key={t}
          x={x(t)}
          y={y}
          textAnchor={x(t) - left < 4 ? "start" : "middle"}
          fontSize={10}
          fill="currentColor"
        >
          {formatValue(t)}
        </text>
      ))}
    </>
  );
}
