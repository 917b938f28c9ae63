import { interpolateRdBu, interpolateViridis, rgb, scaleLinear, scaleLog } from "d3";
import { formatValue } from "./format";

export type ScaleKind = "linear" | "log";

const LUT_SIZE = 256;
/** Viridis sampled once into RGB bytes: per-cell color lookups stay cheap for 256 x 256 matrices. */
const VIRIDIS: Uint8Array = (() => {
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const hex = interpolateViridis(i / (LUT_SIZE - 1)); // "#rrggbb"
    lut[i * 3] = parseInt(hex.slice(1, 3), 16);
    lut[i * 3 + 1] = parseInt(hex.slice(3, 5), 16);
    lut[i * 3 + 2] = parseInt(hex.slice(5, 7), 16);
  }
  return lut;
})();

/**
 * The colour of a cell that has no place on the scale: a zero on a log scale (log 0 = −∞). Light
 * gray, distinct from the diagonal's mid gray and from every viridis colour.
 */
export const NO_VALUE_RGB = [228, 228, 231] as const;
export const NO_VALUE_CSS = `rgb(${NO_VALUE_RGB.join(", ")})`;

export interface ColorScale {
  kind: ScaleKind;
  /** Values the colours span: for a log scale, the smallest positive value to the largest. */
  domain: [number, number];
  /** Position in [0, 1] of a value on the scale (0 for a value without a place: see noValue). */
  t(value: number): number;
  /** True when the value has no place on the scale and is drawn in NO_VALUE_RGB. */
  noValue(value: number): boolean;
  /** Writes the value's RGB into `out` at `at`. */
  rgb(value: number, out: Uint8ClampedArray, at: number): void;
  css(value: number): string;
}

/**
 * A sequential viridis scale. Linear: over [min, max]. Log: over [p, max] with p the smallest
 * positive value, t = ln(v / p) / ln(max / p); zeros (never co-activated) have no logarithm and
 * get the no-value colour, so the bottom colour means "the least seen", not "never".
 * A log scale with no positive value at all has an empty domain [0, 0]: every cell is no-value.
 */
export function makeColorScale(domain: [number, number], kind: ScaleKind, minPositive = domain[1]): ColorScale {
  const [lo, hi] = domain;
  if (kind === "log") {
    const p = minPositive > 0 ? minPositive : 0;
    const top = p > 0 ? Math.max(p, hi) : 0;
    const span = p > 0 ? Math.log(top / p) : 0;
    const noValue = (v: number) => !(v > 0) || p === 0;
    const t = (v: number) => (noValue(v) ? 0 : span > 0 ? Math.min(1, Math.max(0, Math.log(v / p) / span)) : 1);
    return withColours("log", [p, top], t, noValue);
  }
  const span = hi - lo || 1;
  return withColours(
    "linear",
    domain,
    (v) => Math.min(1, Math.max(0, (v - lo) / span)),
    () => false,
  );
}

function withColours(
  kind: ScaleKind,
  domain: [number, number],
  t: (v: number) => number,
  noValue: (v: number) => boolean,
): ColorScale {
  return {
    kind,
    domain,
    t,
    noValue,
    rgb(value, out, at) {
      if (noValue(value)) {
        out[at] = NO_VALUE_RGB[0];
        out[at + 1] = NO_VALUE_RGB[1];
        out[at + 2] = NO_VALUE_RGB[2];
        return;
      }
      const i = Math.round(t(value) * (LUT_SIZE - 1)) * 3;
      out[at] = VIRIDIS[i];
      out[at + 1] = VIRIDIS[i + 1];
      out[at + 2] = VIRIDIS[i + 2];
    },
    css(value) {
      if (noValue(value)) return NO_VALUE_CSS;
      const i = Math.round(t(value) * (LUT_SIZE - 1)) * 3;
      return `rgb(${VIRIDIS[i]}, ${VIRIDIS[i + 1]}, ${VIRIDIS[i + 2]})`;
    },
  };
}

/** Smallest positive off-diagonal value, the log scale's reference point. */
export function minPositiveOffDiagonal(values: ArrayLike<number>, n: number): number {
  let m = Infinity;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j && values[i * n + j] > 0 && values[i * n + j] < m) m = values[i * n + j];
  return Number.isFinite(m) ? m : 0;
}

/**
 * A diverging scale for differences, symmetric around 0: blue below, white at 0, red above
 * (ColorBrewer RdBu, reversed so red means "more in the first run").
 */
export function makeDivergingScale(maxAbs: number): ColorScale {
  const m = maxAbs > 0 ? maxAbs : 1;
  const t = (v: number) => Math.min(1, Math.max(0, (v + m) / (2 * m)));
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const c = rgb(interpolateRdBu(1 - i / (LUT_SIZE - 1)));
    lut[i * 3] = c.r;
    lut[i * 3 + 1] = c.g;
    lut[i * 3 + 2] = c.b;
  }
  const at = (v: number) => Math.round(t(v) * (LUT_SIZE - 1)) * 3;
  return {
    kind: "linear",
    domain: [-m, m],
    t,
    noValue: () => false,
    rgb(value, out, o) {
      const i = at(value);
      out[o] = lut[i];
      out[o + 1] = lut[i + 1];
      out[o + 2] = lut[i + 2];
    },
    css(value) {
      const i = at(value);
      return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`;
    },
  };
}

export interface LegendTick {
  value: number;
  label: string;
  /** Position along the bar, 0 to width. */
  x: number;
  anchor: "start" | "middle" | "end";
}

/**
 * The ticks of a colour bar `width` px wide. Both ends always, with their exact values (for a log
 * scale the smallest positive value, not 0) and anchored inwards so neither label pokes out of the
 * bar's box; between them round values (linear: d3's ticks; log: powers of 10, with 2 and 5 × 10^n
 * when fewer than 3 powers fall inside) only where a
 * label clears the labels already placed by `gap` px. Labels are assumed `charWidth` px per
 * character (10 px sans-serif digits are ~5.6 px wide). An empty log scale has no ticks.
 */
export function legendTicks(color: ColorScale, width: number, charWidth = 6, gap = 6): LegendTick[] {
  const [lo, hi] = color.domain;
  if (color.kind === "log" && !(lo > 0)) return [];
  const at = (v: number) => color.t(v) * width;
  const first: LegendTick = { value: lo, label: formatValue(lo), x: 0, anchor: "start" };
  if (hi === lo) return [first];
  const last: LegendTick = { value: hi, label: formatValue(hi), x: width, anchor: "end" };
  const boxes: [number, number][] = [
    [0, first.label.length * charWidth],
    [width - last.label.length * charWidth, width],
  ];
  // both ends overlap on a very narrow bar: keep the larger
  if (boxes[0][1] + gap > boxes[1][0]) return [last];
  let candidates: number[];
  if (color.kind === "linear") candidates = scaleLinear().domain([lo, hi]).ticks(5);
  else {
    const all = scaleLog().domain([lo, hi]).ticks();
    const decades = all.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    const mantissa = (v: number) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
    // decades when the range spans a few of them, else 2 and 5 too
    candidates =
      decades.filter((v) => v > lo && v < hi).length >= 3
        ? decades
        : [...decades, ...all.filter((v) => [2, 5].includes(mantissa(v)) && !decades.includes(v))];
  }
  const inner: LegendTick[] = [];
  for (const value of candidates) {
    if (value <= lo || value >= hi) continue;
    const label = formatValue(value);
    const x = at(value);
    const half = (label.length * charWidth) / 2;
    const box: [number, number] = [x - half, x + half];
    if (boxes.some(([a, b]) => box[0] < b + gap && box[1] > a - gap)) continue;
    boxes.push(box);
    inner.push({ value, label, x, anchor: "middle" });
  }
  inner.sort((a, b) => a.x - b.x);
  return [first, ...inner, last];
}
