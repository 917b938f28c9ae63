import { interpolateRdBu, interpolateViridis, rgb } from "d3";

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

export interface ColorScale {
  kind: ScaleKind;
  domain: [number, number];
  /** Position in [0, 1] of a value on the scale. */
  t(value: number): number;
  /** Writes the value's RGB into `out` at `at`. */
  rgb(value: number, out: Uint8ClampedArray, at: number): void;
  css(value: number): string;
}

/**
 * A sequential viridis scale over [min, max]. The log scale is log(1 + v/ε) with ε the smallest
 * positive value, so zeros (never co-activated) stay at the bottom instead of -∞.
 */
export function makeColorScale(domain: [number, number], kind: ScaleKind, minPositive = domain[1]): ColorScale {
  const [lo, hi] = domain;
  const eps = minPositive > 0 ? minPositive : 1;
  const f = kind === "log" ? (v: number) => Math.log1p(Math.max(0, v - lo) / eps) : (v: number) => v - lo;
  const span = f(hi) || 1;
  const t = (v: number) => Math.min(1, Math.max(0, f(v) / span));
  return {
    kind,
    domain,
    t,
    rgb(value, out, at) {
      const i = Math.round(t(value) * (LUT_SIZE - 1)) * 3;
      out[at] = VIRIDIS[i];
      out[at + 1] = VIRIDIS[i + 1];
      out[at + 2] = VIRIDIS[i + 2];
    },
    css(value) {
      const i = Math.round(t(value) * (LUT_SIZE - 1)) * 3;
      return `rgb(${VIRIDIS[i]}, ${VIRIDIS[i + 1]}, ${VIRIDIS[i + 2]})`;
    },
  };
}

/** Smallest positive off-diagonal value, the log scale's reference point. */
export function minPositiveOffDiagonal(values: ArrayLike<number>, n: number): number {
  let m = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && values[i * n + j] > 0 && values[i * n + j] < m) m = values[i * n + j];
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
