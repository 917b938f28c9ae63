/**
 * A5 expert-parallel placement (PRODUCT.md §4): E experts on D devices, E/D per device. Per token,
 * the all-to-all reaches |{dev(e) : e in K_t}| devices; C_T is its mean over tokens.
 *
 * From aggregates, for top-2 (one pair per token) this is exact:
 *   Σ_t |devices| = Σ_i load_i − Σ_{i<j, dev(i) = dev(j)} C_ij,
 * since a token's two experts cost one device when co-located and two otherwise. For k > 2 pairs
 * do not determine it (four experts on one device are six pairs but one device), so C_T is counted
 * from the raw events (`DeviceCounter`, `placement-events.ts`), and placements are searched on
 * them (`optimizeOnEvents`); from aggregates alone only the co-location proxy is left.
 */
export type Placement = number[][];

export interface PlacementCost {
  /** Mean devices per token (C_T); null beyond top-2, where aggregates cannot give it (DeviceCounter can). */
  ct: number | null;
  /** Tokens routed to each device (a token counts once per device it reaches); empty beyond top-2. */
  deviceLoad: number[];
}

export function deviceOf(placement: Placement, experts: number): Int32Array {
  const dev = new Int32Array(experts).fill(-1);
  placement.forEach((group, d) => group.forEach((e) => (dev[e] = d)));
  return dev;
}

/** Checks that `placement` puts each of E experts on exactly one of D equal devices. */
export function validatePlacement(placement: Placement, experts: number): string | null {
  const D = placement.length;
  if (D === 0 || experts % D !== 0) return `${experts} experts cannot be split evenly over ${D} devices`;
  const seen = new Set<number>();
  for (const [d, group] of placement.entries()) {
    if (group.length !== experts / D) return `device ${d} holds ${group.length} experts, not ${experts / D}`;
    for (const e of group) {
      if (!Number.isInteger(e) || e < 0 || e >= experts)
        return `device ${d} holds expert ${e}, outside [0, ${experts})`;
      if (seen.has(e)) return `expert ${e} is placed twice`;
      seen.add(e);
    }
  }
  return null;
}

/** Σ of C_ij over pairs i < j on the same device. */
export function colocatedPairs(coactivation: ArrayLike<number>, experts: number, placement: Placement): number {
  let s = 0;
  for (const group of placement) {
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++) s += coactivation[group[a] * experts + group[b]];
  }
  return s;
}

export function placementCost(
  coactivation: ArrayLike<number>,
  load: ArrayLike<number>,
  tokens: number,
  topK: number,
  placement: Placement,
): PlacementCost {
  if (topK > 2) return { ct: null, deviceLoad: [] };
  const E = load.length;
  let selections = 0;
  for (let i = 0; i < E; i++) selections += load[i];
  const ct = tokens > 0 ? (selections - colocatedPairs(coactivation, E, placement)) / tokens : 0;
  // Device load: tokens reaching each device = its experts' loads minus their co-located pairs.
  const deviceLoad = placement.map((group) => {
    let s = 0;
    for (const e of group) s += load[e];
    return s - colocatedPairs(coactivation, E, [group]);
  });
  return { ct, deviceLoad };
}

/** Experts 0..E/D-1 on device 0, and so on. */
export function contiguousPlacement(experts: number, devices: number): Placement {
  const g = experts / devices;
  return Array.from({ length: devices }, (_, d) => Array.from({ length: g }, (_, i) => d * g + i));
}

/** Expert e on device e mod D. */
export function roundRobinPlacement(experts: number, devices: number): Placement {
  return Array.from({ length: devices }, (_, d) =>
    Array.from({ length: experts / devices }, (_, i) => i * devices + d),
  );
}

/** Exact C_T and device loads from raw events, for any k: distinct devices per token, counted. */
export class DeviceCounter {
  readonly reached: Float64Array;
  readonly tokens: Float64Array;
  readonly deviceLoad: Float64Array[];
  private seen: Int32Array;
  private stamp = 0;

  constructor(
    readonly devOf: Int32Array[],
    readonly devices: number,
  ) {
    const L = devOf.length;
    this.reached = new Float64Array(L);
    this.tokens = new Float64Array(L);
    this.deviceLoad = Array.from({ length: L }, () => new Float64Array(devices));
    this.seen = new Int32Array(devices);
  }

  add(count: number, k: number, layerOf: ArrayLike<number>, ids: ArrayLike<number>) {
    for (let t = 0; t < count; t++) {
      const l = layerOf[t];
      const dev = this.devOf[l];
      this.stamp++;
      let n = 0;
      for (let a = 0; a < k; a++) {
        const e = ids[t * k + a];
        if (e < 0) continue;
        const d = dev[e];
        if (this.seen[d] !== this.stamp) {
          this.seen[d] = this.stamp;
          this.deviceLoad[l][d] += 1;
          n++;
        }
      }
      this.reached[l] += n;
      this.tokens[l] += 1;
    }
  }

  ct(layer: number): number | null {
    return this.tokens[layer] > 0 ? this.reached[layer] / this.tokens[layer] : null;
  }
}

/** Largest over mean of per-device values; null when nothing is on any device. */
export function maxOverMean(perDevice: ArrayLike<number>): number | null {
  let sum = 0;
  let max = -Infinity;
  for (let d = 0; d < perDevice.length; d++) {
    sum += perDevice[d];
    if (perDevice[d] > max) max = perDevice[d];
  }
  const mean = perDevice.length ? sum / perDevice.length : 0;
  return mean > 0 ? max / mean : null;
}

/** Σ of the expert loads (token-expert selections) on each device: the FFN work each device does. */
export function expertLoadPerDevice(placement: Placement, load: ArrayLike<number>): number[] {
  return placement.map((group) => group.reduce((s, e) => s + load[e], 0));
}

/** A5 all-to-all bytes: dispatch + combine, one hidden-size activation per device a token reaches. */
export function allToAllBytes(devicesReached: number, hidden: number, dtypeBytes: number): number {
  return 2 * devicesReached * hidden * dtypeBytes;
}

/** Reduction of C_T against the contiguous placement: 1 − C_T / C_T(contiguous); null when either is unknown (or contiguous is 0). */
export function ctReduction(ct: number | null, contiguous: number | null): number | null {
  return ct !== null && contiguous ? 1 - ct / contiguous : null;
}

/** The layers whose device-load max/mean breaks the bound (by more than rounding): where even the most balanced placement could not meet it. */
export function layersOverBound(imbalance: readonly (number | null)[], bound: number): number[] {
  return imbalance.flatMap((x, layer) => (x !== null && x > bound + 1e-9 ? [layer] : []));
}
