import { memo } from "react";

interface Props {
  load: ArrayLike<number>;
  order: readonly number[];
  cell: number;
  /** "columns": bars above the matrix; "rows": bars beside it, growing right. */
  orientation: "columns" | "rows";
  extent: number;
  highlight?: number | null;
}

/** Expert loads as bars aligned one-to-one with the heatmap's rows or columns. */
function LoadBarsSvg({ load, order, cell, orientation, extent, highlight }: Props) {
  let max = 0;
  for (const e of order) max = Math.max(max, load[e]);
  const n = order.length;
  const along = n * cell;
  const w = orientation === "columns" ? along : extent;
  const h = orientation === "columns" ? extent : along;
  return (
    <svg
      width={w}
      height={h}
      role="img"
      aria-label={`expert load bars (${orientation})`}
      data-testid={`load-bars-${orientation}`}
      className="block"
    >
      {order.map((e, pos) => {
        const len = max > 0 ? (load[e] / max) * (extent - 2) : 0;
        const fill = highlight === e ? "#f59e0b" : load[e] === 0 ? "#ef4444" : "#6366f1";
        return orientation === "columns" ? (
          <rect key={e} x={pos * cell + 0.5} y={extent - len} width={Math.max(1, cell - 1)} height={len} fill={fill}>
            <title>{`expert ${e}: load ${load[e]}`}</title>
          </rect>
        ) : (
          <rect key={e} x={0} y={pos * cell + 0.5} width={len} height={Math.max(1, cell - 1)} fill={fill}>
            <title>{`expert ${e}: load ${load[e]}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** Memoized: hundreds of SVG elements at 256 experts, re-rendered only when their props change (not on every key press). */
export const LoadBars = memo(LoadBarsSvg);
