import { memo } from "react";

/** Expert ids along a heatmap's rows or columns, thinned so that labels never overlap. */
function ExpertAxisSvg({
  order,
  cell,
  orientation,
}: {
  order: readonly number[];
  cell: number;
  orientation: "rows" | "columns";
}) {
  const every = Math.ceil(14 / cell);
  const len = order.length * cell;
  const rows = orientation === "rows";
  return (
    <svg width={rows ? 28 : len} height={rows ? len : 16} aria-hidden className="block">
      {order.map((e, pos) =>
        pos % every === 0 ? (
          <text
            key={e}
            x={rows ? 24 : pos * cell + cell / 2}
            y={rows ? pos * cell + cell / 2 + 3 : 12}
            textAnchor={rows ? "end" : "middle"}
            fontSize={10}
            fill="currentColor"
          >
            {e}
          </text>
        ) : null,
      )}
    </svg>
  );
}

/** Memoized: hundreds of SVG elements at 256 experts, re-rendered only when their props change (not on every key press). */
export const ExpertAxis = memo(ExpertAxisSvg);
