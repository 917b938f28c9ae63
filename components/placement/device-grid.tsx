import { formatValue } from "@/components/viz/format";

/**
 * Devices as columns with their experts; each device's load (Σ of its experts' loads, the quantity
 * whose max/mean the strategy table shows) as a bar, and the tokens reaching it when known.
 */
export function DeviceGrid({
  placement,
  expertLoad,
  tokensReaching,
  title,
}: {
  placement: number[][];
  expertLoad: number[];
  tokensReaching: number[];
  title: string;
}) {
  const max = Math.max(1, ...expertLoad);
  return (
    <section aria-label="device placement" data-testid="device-grid" className="flex flex-col gap-2">
      <h2 className="text-sm font-semibold">{title} · bar: device load (Σ of its experts&apos; loads)</h2>
      <div className="flex flex-wrap gap-2">
        {placement.map((group, d) => (
          <div key={d} className="w-28 rounded border border-zinc-300 p-2 text-xs dark:border-zinc-700" data-device={d}>
            <div className="font-semibold">device {d}</div>
            <div className="num my-1 break-words">{group.join(", ")}</div>
            <div className="h-2 w-full bg-zinc-200 dark:bg-zinc-800">
              <div className="h-2 bg-indigo-500" style={{ width: `${((expertLoad[d] ?? 0) / max) * 100}%` }} />
            </div>
            <div className="num text-zinc-500">load {formatValue(expertLoad[d] ?? null)}</div>
            {tokensReaching.length ? (
              <div className="num text-zinc-500">{formatValue(tokensReaching[d])} tokens reach</div>
            ) : null}
          </div>
        ))}
      </div>
    </section>
  );
}
