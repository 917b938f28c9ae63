import { formatValue } from "@/components/viz/format";

/** Devices as columns with their experts, and each device's token load as a bar. */
export function DeviceGrid({ placement, deviceLoad, title }: { placement: number[][]; deviceLoad: number[]; title: string }) {
  const max = Math.max(1, ...deviceLoad);
  const mean = deviceLoad.reduce((s, x) => s + x, 0) / Math.max(1, deviceLoad.length);
  return (
    <section aria-label="device placement" data-testid="device-grid" className="flex flex-col gap-2">
      <h2 className="text-sm font-semibold">
        {title} · tokens reaching each device, max/mean {formatValue(mean > 0 ? Math.max(...deviceLoad) / mean : null)}
      </h2>
      <div className="flex flex-wrap gap-2">
        {placement.map((group, d) => (
          <div key={d} className="w-28 rounded border border-zinc-300 p-2 text-xs dark:border-zinc-700" data-device={d}>
            <div className="font-semibold">device {d}</div>
            <div className="num my-1 break-words">{group.join(", ")}</div>
            <div className="h-2 w-full bg-zinc-200 dark:bg-zinc-800">
              <div className="h-2 bg-indigo-500" style={{ width: `${(deviceLoad[d] / max) * 100}%` }} />
            </div>
            <div className="num text-zinc-500">{formatValue(deviceLoad[d])} tokens</div>
          </div>
        ))}
      </div>
    </section>
  );
}
