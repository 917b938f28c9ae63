import { scaleLinear } from "d3";
import type { ColorScale } from "./color-scale";
import { formatValue } from "./format";

interface Props {
  color: ColorScale;
  title: string;
  width?: number;
}

/** Horizontal color bar with ticks; the title states what the colors mean. */
export function ColorLegend({ color, title, width = 320 }: Props) {
  const [lo, hi] = color.domain;
  const stops = Array.from({ length: 33 }, (_, i) => i / 32);
  // Ticks sit where the scale puts their value. Linear: round values; log: values at even steps
  // along the bar (rounded to 2 digits), since round values bunch up at the top of a log scale.
  const ticks =
    color.kind === "linear"
      ? scaleLinear().domain([lo, hi]).ticks(5).filter((v) => v >= lo && v <= hi)
      : [...new Set([0, 0.25, 0.5, 0.75].map((t) => Number(inverse(color, t).toPrecision(2))))];
  if (ticks.length && color.t(hi) - color.t(ticks[ticks.length - 1]) < 0.08) ticks.pop();
  ticks.push(hi);
  const id = `legend-${color.kind}-${lo}-${hi}`.replace(/[^a-z0-9-]/gi, "");
  const value = (t: number) => inverse(color, t);
  return (
    <figure className="text-xs text-zinc-700 dark:text-zinc-300" data-testid="color-legend">
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      <svg width={width + 44} height={34} role="img" aria-label={`legend: colors from ${formatValue(lo)} to ${formatValue(hi)}, ${color.kind}`}>
        <defs>
          <linearGradient id={id}>
            {stops.map((t) => (
              <stop key={t} offset={`${t * 100}%`} stopColor={color.css(value(t))} />
            ))}
          </linearGradient>
        </defs>
        <rect x={10} y={0} width={width} height={12} fill={`url(#${id})`} />
        {ticks.map((v) => {
          const x = 10 + color.t(v) * width;
          return (
            <g key={v} transform={`translate(${x},0)`}>
              <line y1={12} y2={16} stroke="currentColor" />
              <text y={28} textAnchor="middle" fill="currentColor" fontSize={10}>
                {formatValue(v)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** The value at position t of the scale, by bisection (the scale is monotonic). */
function inverse(color: ColorScale, t: number): number {
  let [a, b] = color.domain;
  for (let i = 0; i < 40; i++) {
    const m = (a + b) / 2;
    if (color.t(m) < t) a = m;
    else b = m;
  }
  return (a + b) / 2;
}
