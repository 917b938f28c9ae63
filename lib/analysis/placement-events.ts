import { deviceOf, type Placement } from "./placement";

/**
 * A5 placement search on the raw events, for any k: minimizes C_T itself, Σ_t |{dev(e) : e ∈ K_t}|
 * / tokens, by swaps of two experts between devices.
 *
 * A swap of a (on device A) and b (on device B) changes only the tokens holding exactly one of them.
 * For t ∋ a, t ∌ b, a moves from A to B: t loses A when a was alone there (cnt_t[A] = 1) and gains
 * B when no expert of t was there (cnt_t[B] = 0); symmetrically for t ∋ b, t ∌ a; a token holding
 * both keeps its counts. Summed, with
 *   load_e     tokens holding e,
 *   alone_e    tokens where e is the only one of them on e's device,
 *   R[e][d]    tokens holding e that reach device d,
 *   S[e][f]    tokens holding e and f where e is alone on its device,
 * the change of Σ_t |devices| is
 *   Δ(a, b) = (load_a − alone_a − R[a][B]) + (load_b − alone_b − R[b][A]) + S[a][b] + S[b][a],
 * O(1) per candidate swap. After an accepted swap only the tokens of a and b are revisited, to
 * update R, alone, S (O((load_a + load_b) · k)). All counts are integers, so every accepted swap
 * lowers Σ_t |devices| by at least 1, the search ends, and it ends when no swap lowers it: swap-
 * locally optimal (within the load bound, when one is given).
 */
export interface TokenSets {
  /** k ids per token, −1 for an empty slot (a token routed to fewer than k experts). */
  ids: Int16Array | Int32Array;
  k: number;
  /** Tokens. */
  count: number;
}

/** Σ_t |{dev(e) : e ∈ K_t}| for a placement: C_T · tokens. */
export function devicesReached(tokens: TokenSets, dev: Int32Array, devices: number): number {
  const seen = new Int32Array(devices).fill(-1);
  const { ids, k, count } = tokens;
  let s = 0;
  for (let t = 0; t < count; t++) {
    for (let a = 0; a < k; a++) {
      const e = ids[t * k + a];
      if (e < 0) continue;
      const d = dev[e];
      if (seen[d] !== t) {
        seen[d] = t;
        s++;
      }
    }
  }
  return s;
}

/** Tokens reaching each device (a token counts once per device), and their sum Σ_t |devices|. */
export function deviceTokenLoad(
  tokens: TokenSets,
  dev: Int32Array,
  devices: number,
): { reached: number; perDevice: number[] } {
  const seen = new Int32Array(devices).fill(-1);
  const per = new Array<number>(devices).fill(0);
  const { ids, k, count } = tokens;
  let reached = 0;
  for (let t = 0; t < count; t++) {
    for (let a = 0; a < k; a++) {
      const e = ids[t * k + a];
      if (e < 0) continue;
      const d = dev[e];
      if (seen[d] !== t) {
        seen[d] = t;
        per[d]++;
        reached++;
      }
    }
  }
  return { reached, perDevice: per };
}

export interface EventSearchOptions {
  /** Start placements; the best end point is returned, so never worse than any start. */
  starts: Placement[];
  /** Largest allowed Σ expert load per device / mean (swaps that break it are refused). */
  maxImbalance?: number;
  /** Expert loads the bound is measured on (selections per expert). */
  load?: ArrayLike<number>;
  /** End points it accepts (the load bound); when none is accepted the last start's end point is returned. */
  accept?: (p: Placement) => boolean;
}

export interface EventSearchResult {
  placement: Placement;
  /** Σ_t |devices| of the returned placement. */
  reached: number;
  /** Index of the start it came from, its Σ_t |devices| there, and the swaps taken. */
  start: number;
  startReached: number[];
  swaps: number;
}

/** The swap state over one layer's token sets: devices per token and the counts Δ(a, b) needs. */
export class SwapState {
  readonly dev: Int32Array;
  readonly load: Int32Array;
  readonly alone: Int32Array;
  readonly R: Int32Array;
  readonly S: Int32Array;
  reached = 0;
  private readonly tokOf: Int32Array;
  private readonly tokStart: Int32Array;

  constructor(
    readonly tokens: TokenSets,
    readonly experts: number,
    readonly devices: number,
    placement: Placement,
  ) {
    const E = experts;
    const { ids, k, count } = tokens;
    this.dev = deviceOf(placement, E);
    this.load = new Int32Array(E);
    for (let i = 0; i < count * k; i++) if (ids[i] >= 0) this.load[ids[i]]++;
    // Tokens of each expert, CSR.
    this.tokStart = new Int32Array(E + 1);
    for (let e = 0; e < E; e++) this.tokStart[e + 1] = this.tokStart[e] + this.load[e];
    this.tokOf = new Int32Array(this.tokStart[E]);
    const fill = this.tokStart.slice(0, E);
    for (let t = 0; t < count; t++)
      for (let a = 0; a < k; a++) {
        const e = ids[t * k + a];
        if (e >= 0) this.tokOf[fill[e]++] = t;
      }
    this.alone = new Int32Array(E);
    this.R = new Int32Array(E * devices);
    this.S = new Int32Array(E * E);
    const cnt = new Int32Array(devices);
    for (let t = 0; t < count; t++) {
      const base = t * k;
      for (let a = 0; a < k; a++) if (ids[base + a] >= 0) cnt[this.dev[ids[base + a]]]++;
      for (let a = 0; a < k; a++) {
        const e = ids[base + a];
        if (e >= 0 && cnt[this.dev[e]] === 1) this.markAlone(base, e, 1);
      }
      // Each device the token reaches, once (its count is cleared at the first of its experts).
      for (let a = 0; a < k; a++) {
        const e = ids[base + a];
        if (e < 0 || cnt[this.dev[e]] === 0) continue;
        const d = this.dev[e];
        cnt[d] = 0;
        this.reached++;
        for (let b = 0; b < k; b++) if (ids[base + b] >= 0) this.R[ids[base + b] * devices + d]++;
      }
    }
  }

  /** alone_e and S[e][·] for one token where e is alone on its device: ±1. */
  private markAlone(base: number, e: number, sign: number) {
    const { ids, k } = this.tokens;
    this.alone[e] += sign;
    const row = e * this.experts;
    for (let b = 0; b < k; b++) {
      const f = ids[base + b];
      if (f >= 0 && f !== e) this.S[row + f] += sign;
    }
  }

  /** Change of Σ_t |devices| if a and b (on different devices) swap. */
  delta(a: number, b: number): number {
    const A = this.dev[a];
    const B = this.dev[b];
    const D = this.devices;
    const E = this.experts;
    return (
      this.load[a] -
      this.alone[a] -
      this.R[a * D + B] +
      this.load[b] -
      this.alone[b] -
      this.R[b * D + A] +
      this.S[a * E + b] +
      this.S[b * E + a]
    );
  }

  /** Swaps a and b, updating the counts from the tokens of a and of b only. */
  swap(a: number, b: number) {
    const A = this.dev[a];
    const B = this.dev[b];
    if (A === B) return;
    this.moveTokens(a, b, A, B);
    this.moveTokens(b, a, B, A);
    this.dev[a] = B;
    this.dev[b] = A;
  }

  /** The tokens of x (x on X moving to Y); y moves the other way in its own pass. */
  private moveTokens(x: number, y: number, X: number, Y: number) {
    const { ids, k } = this.tokens;
    const D = this.devices;
    const dev = this.dev;
    for (let i = this.tokStart[x]; i < this.tokStart[x + 1]; i++) {
      const base = this.tokOf[i] * k;
      let hasY = false;
      let cx = 0;
      let cy = 0;
      for (let a = 0; a < k; a++) {
        const e = ids[base + a];
        if (e < 0) continue;
        if (e === y) hasY = true;
        const d = dev[e];
        if (d === X) cx++;
        else if (d === Y) cy++;
      }
      if (hasY) {
        // Device counts stay (x and y trade places), but x's aloneness is now Y's count's: y's
        // own pass does the same for y.
        if ((cx === 1) !== (cy === 1)) this.markAlone(base, x, cy === 1 ? 1 : -1);
        continue;
      }
      // Before: cx on X (x among them), cy on Y. After: cx − 1 on X, cy + 1 on Y.
      const nx = cx - 1;
      const ny = cy + 1;
      if (nx === 0) {
        this.reached--;
        for (let a = 0; a < k; a++) if (ids[base + a] >= 0) this.R[ids[base + a] * D + X]--;
      }
      if (cy === 0) {
        this.reached++;
        for (let a = 0; a < k; a++) if (ids[base + a] >= 0) this.R[ids[base + a] * D + Y]++;
      }
      // Aloneness changes: x itself (alone on X before iff cx = 1; on Y after iff ny = 1), the one
      // left on X when nx = 1, and the one already on Y when cy = 1.
      if (cx === 1) this.markAlone(base, x, -1);
      if (ny === 1) this.markAlone(base, x, 1);
      if (nx === 1 || cy === 1) {
        for (let a = 0; a < k; a++) {
          const e = ids[base + a];
          if (e < 0 || e === x) continue;
          if (nx === 1 && dev[e] === X) this.markAlone(base, e, 1);
          if (cy === 1 && dev[e] === Y) this.markAlone(base, e, -1);
        }
      }
    }
  }

  placement(): Placement {
    const out: Placement = Array.from({ length: this.devices }, () => []);
    for (let e = 0; e < this.experts; e++) out[this.dev[e]].push(e);
    return out;
  }
}

/**
 * Swaps of two experts on different devices until no swap lowers Σ_t |devices|.
 * With a load bound, a swap that would push either device past it (and past the larger of their
 * current loads) is refused, as in the co-location search.
 */
export function swapSearch(state: SwapState, opts: { maxImbalance?: number; load?: ArrayLike<number> } = {}): number {
  const E = state.experts;
  const D = state.devices;
  const dev = state.dev;
  const load = opts.load;
  const devLoad = load ? new Float64Array(D) : null;
  if (devLoad) for (let e = 0; e < E; e++) devLoad[dev[e]] += load![e];
  const bound = opts.maxImbalance && devLoad ? (opts.maxImbalance * devLoad.reduce((s, x) => s + x, 0)) / D : Infinity;
  let swaps = 0;
  // For each a in turn, the swap partner b that lowers Σ_t |devices| most (ties: lower b), taken
  // at once; passes repeat until one finds no lowering swap. Best-per-a takes far fewer swaps than
  // first improvement, and a swap (not the O(E) scan of a's partners) is the costly step.
  for (let improved = true; improved;) {
    improved = false;
    for (let a = 0; a < E; a++) {
      for (;;) {
        const da = dev[a];
        let best = -1;
        let bestDelta = 0;
        for (let b = 0; b < E; b++) {
          const db = dev[b];
          if (db === da) continue;
          const d = state.delta(a, b);
          if (d >= bestDelta) continue;
          if (devLoad) {
            const la = devLoad[da] - load![a] + load![b];
            const lb = devLoad[db] - load![b] + load![a];
            if (Math.max(la, lb) > bound && Math.max(la, lb) > Math.max(devLoad[da], devLoad[db])) continue;
          }
          best = b;
          bestDelta = d;
        }
        if (best < 0) break;
        if (devLoad) {
          const db = dev[best];
          devLoad[da] += load![best] - load![a];
          devLoad[db] += load![a] - load![best];
        }
        state.swap(a, best);
        swaps++;
        improved = true;
      }
    }
  }
  return swaps;
}

/** From each start, the swap search on the events; the end point with the fewest devices reached. */
export function optimizeOnEvents(
  tokens: TokenSets,
  experts: number,
  devices: number,
  opts: EventSearchOptions,
): EventSearchResult {
  if (!opts.starts.length) throw new Error("optimizeOnEvents needs at least one start");
  let best: EventSearchResult | null = null;
  let last: EventSearchResult | null = null;
  const startReached: number[] = [];
  for (const [i, start] of opts.starts.entries()) {
    const state = new SwapState(tokens, experts, devices, start);
    startReached.push(state.reached);
    const swaps = swapSearch(state, opts);
    const end: EventSearchResult = {
      placement: state.placement(),
      reached: state.reached,
      start: i,
      startReached,
      swaps,
    };
    last = end;
    if ((!opts.accept || opts.accept(end.placement)) && (!best || end.reached < best.reached)) best = end;
  }
  const out = (best ?? last)!;
  return { ...out, placement: out.placement.map((d) => d.sort((x, y) => x - y)) };
}
