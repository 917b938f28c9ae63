import { schemeTableau10 } from "d3";
import { formatValue } from "@/components/viz/format";

const W = 760;
const NODE_W = 14;
const LABEL = 28;

export interface FlowLink {
  from: number;
  to: number;
  count: number;
}

/**
 * Experts of layer l (left) and l + 1 (right), bar heights ∝ tokens; ribbons are the strongest
 * transitions, width ∝ tokens that took that path. A Sankey drawn by hand (no extra dependency).
 */
export function FlowDiagram({
  transitions,
  experts,
  layer,
  links,
}: {
  transitions: ArrayLike<number>;
  experts: number;
  layer: number;
  links: FlowLink[];
}) {
  // Row and column sums of the row-major E x E matrix (as the frame delivers it).
  const out = new Array<number>(experts).fill(0);
  const into = new Array<number>(experts).fill(0);
  for (let i = 0; i < experts; i++) {
    for (let j = 0; j < experts; j++) {
      out[i] += transitions[i * experts + j];
      into[j] += transitions[i * experts + j];
    }
  }
  const total = out.reduce((s, x) => s + x, 0) || 1;
  const gap = experts > 64 ? 0.5 : 3;
  const H = Math.max(320, Math.min(900, experts * (experts > 64 ? 3 : 14)));
  const scale = (H - 20 - gap * (experts - 1)) / total;
  const stack = (sizes: number[]) => {
    const y: number[] = [];
    let at = 10;
    for (const s of sizes) {
      y.push(at);
      at += s * scale + gap;
    }
    return y;
  };
  const yl = stack(out);
  const yr = stack(into);
  const offL = yl.slice();
  const offR = yr.slice();
  const x0 = LABEL + NODE_W;
  const x1 = W - LABEL - NODE_W;
  // Ribbons stacked inside each bar in order of size, the largest at the top.
  const ribbons = [...links]
    .sort((a, b) => b.count - a.count)
    .map((l) => {
      const h = l.count * scale;
      const ya = offL[l.from];
      const yb = offR[l.to];
      offL[l.from] += h;
      offR[l.to] += h;
      const mx = (x0 + x1) / 2;
      return {
        ...l,
        d: `M${x0},${ya} C${mx},${ya} ${mx},${yb} ${x1},${yb} L${x1},${yb + h} C${mx},${yb + h} ${mx},${ya + h} ${x0},${ya + h} Z`,
      };
    });
  const showLabels = experts <= 64;
  const labelL = showLabels ? spacedLabels(out.map((v, e) => yl[e] + (v * scale) / 2)) : [];
  const labelR = showLabels ? spacedLabels(into.map((v, e) => yr[e] + (v * scale) / 2)) : [];
  return (
    <div className="max-w-full overflow-x-auto">
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={`token flow from layer ${layer} to layer ${layer + 1}`}
        data-testid="flow-diagram"
        className="text-zinc-700 dark:text-zinc-300"
      >
        {ribbons.map((r) => (
          <path key={`${r.from}-${r.to}`} d={r.d} fill={schemeTableau10[r.from % 10]} fillOpacity={0.45}>
            <title>{`expert ${r.from} at layer ${layer} → expert ${r.to} at layer ${layer + 1}: ${formatValue(r.count)} tokens (${formatValue(r.count / (out[r.from] || 1))} of ${r.from}'s)`}</title>
          </path>
        ))}
        {out.map((v, e) => (
          <g key={`l${e}`}>
            <rect x={LABEL} y={yl[e]} width={NODE_W} height={Math.max(0.5, v * scale)} fill={schemeTableau10[e % 10]}>
              <title>{`expert ${e} at layer ${layer}: ${formatValue(v)} tokens continue to layer ${layer + 1}`}</title>
            </rect>
            {labelL[e] ? (
              <text
                x={LABEL - 4}
                y={yl[e] + (v * scale) / 2}
                dy="0.35em"
                textAnchor="end"
                fontSize={10}
                fill="currentColor"
                data-node-label={`l${e}`}
              >
                {e}
              </text>
            ) : null}
          </g>
        ))}
        {into.map((v, e) => (
          <g key={`r${e}`}>
            <rect x={x1} y={yr[e]} width={NODE_W} height={Math.max(0.5, v * scale)} fill="#71717a">
              <title>{`expert ${e} at layer ${layer + 1}: ${formatValue(v)} tokens from layer ${layer}`}</title>
            </rect>
            {labelR[e] ? (
              <text
                x={x1 + NODE_W + 4}
                y={yr[e] + (v * scale) / 2}
                dy="0.35em"
                fontSize={10}
                fill="currentColor"
                data-node-label={`r${e}`}
              >
                {e}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
    </div>
  );
}

/**
 * Which node labels to draw: going down the column, a label is kept only if its centre is at least
 * `minGap` px (one 10 px line) below the last kept one, so small neighbouring nodes do not print
 * their ids on top of each other; a skipped node keeps its id in its tooltip. Centres ascend.
 */
export function spacedLabels(centres: number[], minGap = 11): boolean[] {
  let last = -Infinity;
  return centres.map((c) => {
    if (c - last < minGap) return false;
    last = c;
    return true;
  });
}

/** The n largest cells of a row-major experts x experts transition matrix, largest first (ties by ids). */
export function strongestLinks(transitions: ArrayLike<number>, experts: number, n: number): FlowLink[] {
  const all: FlowLink[] = [];
  for (let k = 0; k < transitions.length; k++)
    if (transitions[k] > 0) all.push({ from: Math.floor(k / experts), to: k % experts, count: transitions[k] });
  all.sort((a, b) => b.count - a.count || a.from - b.from || a.to - b.to);
  return all.slice(0, n);
}
