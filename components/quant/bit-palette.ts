import { interpolateLab } from "d3";

/**
 * The one colour of each bit width, for every quantization chart and legend: a bit width is the
 * same colour in every allocation heatmap, the suggester's preview and the Pareto chart's axis,
 * whichever widths an allocation happens to mix (a colour scale stretched over one allocation's
 * min..max made 4 bits yellow in a 2/4 allocation and purple in a 4/8 one).
 *
 * Ordered warm (few bits, lossy) to cool (many bits); 0 bits (an expert dropped) is neutral gray.
 */
export const BIT_COLORS: Readonly<Record<number, string>> = {
  0: "#71717a",
  1: "#67001f",
  2: "#d6604d",
  3: "#f4a582",
  4: "#e6c84f",
  5: "#b8e186",
  6: "#7fbc41",
  8: "#2b9348",
  16: "#2166ac",
  32: "#542788",
};

const WIDTHS = Object.keys(BIT_COLORS)
  .map(Number)
  .sort((a, b) => a - b);

/**
 * Colour of a bit width: the listed widths have their own; a width between two listed ones (a
 * fractional or unusual width, e.g. 2.5 or 12) is interpolated between its neighbours, so it is
 * still one fixed colour and sits between them in order. Beyond the range: the end colours.
 */
export function bitColor(bits: number): string {
  if (!Number.isFinite(bits)) return BIT_COLORS[0];
  const exact = BIT_COLORS[bits];
  if (exact) return exact;
  if (bits < WIDTHS[0]) return BIT_COLORS[WIDTHS[0]];
  const hi = WIDTHS.findIndex((w) => w > bits);
  if (hi < 0) return BIT_COLORS[WIDTHS[WIDTHS.length - 1]];
  const a = WIDTHS[hi - 1];
  const b = WIDTHS[hi];
  return interpolateLab(BIT_COLORS[a], BIT_COLORS[b])((bits - a) / (b - a));
}
