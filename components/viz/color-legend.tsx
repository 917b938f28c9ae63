import { legendTicks, NO_VALUE_CSS, type ColorScale } from "./color-scale";
import { formatValue } from "./format";

interface Props {
  color: ColorScale;
  title: string;
  width?: number;
}

const PAD = 4;

/**
 * Horizontal color bar with ticks; the title states what the colors mean. The end ticks carry the
 * exact range (a log scale starts at the smallest positive value) and are anchored inwards, so
 * every label stays inside the figure and none overlaps another (legendTicks). A log scale adds a
 * swatch for zeros, which it cannot place.
 */
export function ColorLegend({ color, title, width = 320 }: Props) {
  const [lo, hi] = color.domain;
  const stops = Array.from({ length: 33 }, (_, i) => i / 32);
  const ticks = legendTicks(color, width);
  const log = color.kind === "log";
  const empty = log && !(lo > 0);
  const id = `legend-${color.kind}-${lo}-${hi}`.replace(/[^a-z0-9-]/gi, "");
  const value = (t: number) => inverse(color, t);
  return (
    <figure className="text-xs text-zinc-700 dark:text-zinc-300" data-testid="color-legend" data-kind={color.kind}>
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      <div className="flex items-start gap-3">
        {empty ? null : (
          <svg
            width={width + 2 * PAD}
            height={34}
            role="img"
            aria-label={`legend: colors from ${formatValue(lo)} to ${formatValue(hi)}, ${color.kind}`}
          >
            <defs>
              <linearGradient id={id}>
                {stops.map((t) => (
                  <stop key={t} offset={`${t * 100}%`} stopColor={color.css(value(t))} />
                ))}
              </linearGradient>
            </defs>
            <rect x={PAD} y={0} width={width} height={12} fill={`url(#${id})`} />
            {ticks.map((tick) => (
              <g key={tick.value} transform={`translate(${PAD + tick.x},0)`} data-tick={tick.label}>
                <line y1={12} y2={16} stroke="currentColor" />
                <text y={28} textAnchor={tick.anchor} fill="currentColor" fontSize={10}>
                  {tick.label}
                </text>
              </g>
            ))}
          </svg>
        )}
        {log ? (
          <span className="flex items-center gap-1 whitespace-nowrap" data-testid="legend-no-value">
            <span className="inline-block h-3 w-3 border border-zinc-400" style={{ background: NO_VALUE_CSS }} />
            {empty ? "all 0: nothing to place on a log scale" : "0 (no log value)"}
          </span>
        ) : null}
      </div>
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
