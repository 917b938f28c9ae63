import { scaleLinear, scalePoint } from "d3";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

const M = { top: 22, right: 12, bottom: 30, left: 44 };

interface Props {
  title: string;
  steps: number[];
  values: (number | null)[];
  width?: number;
  height?: number;
  /** A horizontal guide (saturation's 1). */
  reference?: { value: number; label: string };
  color?: string;
  testId?: string;
}

/**
 * One number per checkpoint, as a line with points. Checkpoints are evenly spaced and labelled by
 * their step (training schedules save checkpoints at uneven, often doubling, steps).
 */
export function StepChart({
  title,
  steps,
  values,
  width = 300,
  height = 160,
  reference,
  color = "#6366f1",
  testId,
}: Props) {
  const x = scalePoint<number>()
    .domain(steps.map((_, i) => i))
    .range([M.left, width - M.right])
    .padding(0.3);
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(0, ...known);
  const y = scaleLinear()
    .domain([lo, Math.max(lo + 1e-9, ...known, reference?.value ?? -Infinity)])
    .nice()
    .range([height - M.bottom, M.top]);
  const every = Math.ceil(steps.length / Math.max(1, Math.floor((width - M.left - M.right) / 44)));
  const segments: string[][] = [[]];
  values.forEach((v, i) => (v === null ? segments.push([]) : segments.at(-1)!.push(`${x(i)},${y(v)}`)));
  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label={title}
      data-testid={testId}
      className="text-zinc-700 dark:text-zinc-300"
    >
      <text x={M.left} y={12} fontSize={11} fontWeight={600} fill="currentColor">
        {title}
      </text>
      <YGrid y={y} ticks={4} left={M.left} right={width - M.right} />
      {reference ? (
        <line
          x1={M.left}
          x2={width - M.right}
          y1={y(reference.value)}
          y2={y(reference.value)}
          stroke="#f59e0b"
          strokeDasharray="4 3"
        >
          <title>{reference.label}</title>
        </line>
      ) : null}
      {segments.map((pts, i) =>
        pts.length > 1 ? <polyline key={i} fill="none" stroke={color} strokeWidth={2} points={pts.join(" ")} /> : null,
      )}
      {values.map((v, i) =>
        v === null ? null : (
          <circle key={i} cx={x(i)} cy={y(v)} r={3} fill={color}>
            <title>{`step ${steps[i].toLocaleString("en-US")}: ${formatValue(v)}`}</title>
          </circle>
        ),
      )}
      {steps.map((s, i) =>
        i % every === 0 || i === steps.length - 1 ? (
          <text key={i} x={x(i)} y={height - M.bottom + 13} textAnchor="middle" fontSize={9} fill="currentColor">
            {compactStep(s)}
          </text>
        ) : null,
      )}
      <text x={(M.left + width - M.right) / 2} y={height - 3} textAnchor="middle" fontSize={10} fill="currentColor">
        step
      </text>
    </svg>
  );
}

/** 160000 → "160k", 1500000 → "1.5M". */
export function compactStep(s: number): string {
  if (s >= 1e6) return `${Number((s / 1e6).toPrecision(3))}M`;
  if (s >= 1e3) return `${Number((s / 1e3).toPrecision(3))}k`;
  return String(s);
}
