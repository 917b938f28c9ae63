import { scaleBand, scaleLinear } from "d3";
import { formatValue } from "./format";
import { YGrid } from "./y-grid";

const W = 760;
const H = 190;
const M = { top: 22, right: 16, bottom: 30, left: 48 };

interface Props {
  title: string;
  values: (number | null)[];
  kind?: "bar" | "line";
  layer?: number;
  onLayer?: (l: number) => void;
  /** A horizontal guide, e.g. the uniform share 1/E or the largest possible entropy. */
  reference?: { value: number; label: string };
  color?: string;
  testId?: string;
}

/** One number per MoE layer, as bars or a line; the selected layer is marked; clicking selects. */
export function LayerSeriesChart({
  title,
  values,
  kind = "bar",
  layer,
  onLayer,
  reference,
  color = "#6366f1",
  testId,
}: Props) {
  const L = values.length;
  const x = scaleBand<number>()
    .domain(values.map((_, l) => l))
    .range([M.left, W - M.right])
    .padding(0.15);
  const known = values.filter((v): v is number => v !== null);
  const y = scaleLinear()
    .domain([0, Math.max(1e-9, ...known, reference?.value ?? 0)])
    .nice()
    .range([H - M.bottom, M.top]);
  const cx = (l: number) => x(l)! + x.bandwidth() / 2;
  const every = Math.ceil(L / 16);
  return (
    <div className="max-w-full overflow-x-auto">
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={title}
        data-testid={testId}
        className="text-zinc-700 dark:text-zinc-300"
      >
        <text x={M.left} y={12} fontSize={11} fontWeight={600} fill="currentColor">
          {title}
        </text>
        <YGrid y={y} ticks={4} left={M.left} right={W - M.right} />
        {layer !== undefined && layer < L ? (
          <rect
            x={x(layer)! - 1}
            width={x.bandwidth() + 2}
            y={M.top}
            height={H - M.top - M.bottom}
            fill="currentColor"
            fillOpacity={0.08}
          />
        ) : null}
        {kind === "bar" ? (
          values.map((v, l) =>
            v === null ? null : (
              <rect
                key={l}
                x={x(l)}
                width={x.bandwidth()}
                y={y(v)}
                height={y(0) - y(v)}
                fill={color}
                fillOpacity={l === layer ? 1 : 0.75}
              />
            ),
          )
        ) : (
          <polyline
            fill="none"
            stroke={color}
            strokeWidth={2}
            points={values.map((v, l) => (v === null ? "" : `${cx(l)},${y(v)}`)).join(" ")}
          />
        )}
        {reference ? (
          <g>
            <line
              x1={M.left}
              x2={W - M.right}
              y1={y(reference.value)}
              y2={y(reference.value)}
              stroke="#f59e0b"
              strokeDasharray="4 3"
            />
            {/* above the line unless that would hit the title, with a halo so bars behind it do not hide it */}
            <text
              x={W - M.right}
              y={y(reference.value) - 3 < M.top + 8 ? y(reference.value) + 11 : y(reference.value) - 3}
              textAnchor="end"
              fontSize={10}
              fill="#b45309"
              paintOrder="stroke"
              strokeWidth={3}
              strokeLinejoin="round"
              className="stroke-white dark:stroke-zinc-950"
              data-testid="reference-label"
            >
              {reference.label}
            </text>
          </g>
        ) : null}
        {values.map((v, l) => (
          <rect
            key={`hit${l}`}
            x={x(l)}
            width={x.bandwidth()}
            y={M.top}
            height={H - M.top - M.bottom}
            fill="transparent"
            className={onLayer ? "cursor-pointer" : undefined}
            onClick={onLayer ? () => onLayer(l) : undefined}
          >
            <title>{`layer ${l}: ${formatValue(v)}`}</title>
          </rect>
        ))}
        {values.map((_, l) =>
          l % every === 0 ? (
            <text key={`t${l}`} x={cx(l)} y={H - M.bottom + 13} textAnchor="middle" fontSize={10} fill="currentColor">
              {l}
            </text>
          ) : null,
        )}
        <text x={(M.left + W - M.right) / 2} y={H - 3} textAnchor="middle" fontSize={10} fill="currentColor">
          MoE layer{onLayer ? " (click to select)" : ""}
        </text>
      </svg>
    </div>
  );
}
