import { bitColor } from "./bit-palette";

/** The bit widths an allocation uses, each in its one colour (bit-palette.ts). */
export function BitLegend({ widths }: { widths: readonly number[] }) {
  return (
    <div className="mt-1 flex flex-wrap gap-2" data-testid="bit-legend">
      {widths.map((b) => (
        <span key={b} className="inline-flex items-center gap-1" data-bits={b}>
          <span className="inline-block h-2 w-3" style={{ background: bitColor(b) }} data-swatch={bitColor(b)} />
          {b} bits
        </span>
      ))}
    </div>
  );
}
