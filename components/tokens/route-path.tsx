import type { SequenceRoutes } from "@/lib/query/api-types";
import { expertColor } from "./token-colors";

type Route = SequenceRoutes["tokens"][number]["route"];

/**
 * A token's route through the layers as a path diagram: one column per MoE layer, its k experts as
 * dots on an expert axis (area ∝ gate weight), the top-1 experts joined into the path and thin links
 * from every expert of a layer to every expert of the next.
 */
export function RoutePath({ route, experts, label }: { route: Route; experts: number; label: string }) {
  const L = route.length;
  const W = Math.max(320, 40 + L * 28);
  const H = 220;
  const x = (l: number) => 30 + (l * (W - 50)) / Math.max(1, L - 1);
  const y = (e: number) => 12 + (e * (H - 36)) / Math.max(1, experts - 1);
  const r = (w: number | null) => (w === null ? 3 : 2 + 7 * Math.sqrt(Math.max(0, w)));
  return (
    <svg width={W} height={H} role="img" aria-label={label} data-testid="route-path" className="text-zinc-500">
      <title>{label}</title>
      <text x={4} y={10} fontSize={9} fill="currentColor">
        expert 0
      </text>
      <text x={4} y={H - 20} fontSize={9} fill="currentColor">
        {experts - 1}
      </text>
      {route.map((step, l) =>
        l + 1 < L
          ? step.experts.flatMap((a) =>
              route[l + 1].experts.map((b) => (
                <line
                  key={`${l}-${a}-${b}`}
                  x1={x(l)}
                  y1={y(a)}
                  x2={x(l + 1)}
                  y2={y(b)}
                  stroke="currentColor"
                  strokeOpacity={0.15}
                />
              )),
            )
          : null,
      )}
      <polyline
        points={route
          .map((s, l) => (s.experts.length ? `${x(l)},${y(s.experts[0])}` : ""))
          .filter(Boolean)
          .join(" ")}
        fill="none"
        stroke="#4f46e5"
        strokeWidth={2}
      />
      {route.map((s, l) => (
        <g key={l}>
          {s.experts.map((e, j) => (
            <circle
              key={e}
              cx={x(l)}
              cy={y(e)}
              r={r(s.weights[j])}
              fill={expertColor(e)}
              stroke="#111"
              strokeWidth={0.5}
            >
              <title>{`layer ${l}: expert ${e}${s.weights[j] === null ? "" : `, weight ${s.weights[j]!.toFixed(3)}`}`}</title>
            </circle>
          ))}
          {L <= 32 || l % Math.ceil(L / 16) === 0 ? (
            <text x={x(l)} y={H - 4} fontSize={9} textAnchor="middle" fill="currentColor">
              {l}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}
