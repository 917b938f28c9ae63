import { topKFlips } from "./compare";

/** The fields of a batch of events the join reads (an EventBatch or a decoded chunk). */
export interface PairableEvents {
  count: number;
  k: number;
  layer: ArrayLike<number>;
  experts: ArrayLike<number>;
  seq: ArrayLike<number>;
  pos: ArrayLike<number>;
}

export interface PairedResult {
  /** Paired events per layer, and those whose top-k set differs. */
  matched: Float64Array;
  flips: Float64Array;
  /** Σ over paired events of |K_A ∩ K_B|: the experts both top-k sets hold (A12 router saturation). */
  overlap: Float64Array;
  unmatchedA: number;
  unmatchedB: number;
  /** Events whose (sequence, position, layer) an earlier event of the same run already had. */
  repeatedA: number;
  repeatedB: number;
}

/** How repeated positions pair, as the UI and docs state it. */
export const PAIRING_DEFINITION =
  "Events pair on (sequence, position, layer). When a key repeats (decode steps that all log position 0), the j-th event with that key in A pairs with the j-th in B, in upload order; the rest are only in A or only in B. A run paired with itself, or with the same file in another run, pairs every event.";

// (seq, pos, layer) in one exact double: seq < 2^23, pos < 2^21, layer < 2^8.
const eventKey = (seq: number, pos: number, layer: number) => (seq * 2_097_152 + pos) * 256 + layer;

/**
 * A11's paired join: the top-k flip rate per layer over the events two runs share. Run A's events
 * are added first (held: keys, ids, and a chain through the events of each key), then run B's are
 * streamed against them. Pairing by occurrence within a key makes it symmetric: swapping A and B
 * swaps unmatchedA and unmatchedB and changes nothing else.
 */
export class PairedJoin {
  private first = new Map<number, number>();
  private last = new Map<number, number>();
  private cursor = new Map<number, number>();
  private next: Int32Array;
  private ids: Int16Array;
  private n = 0;
  private repeatedA = 0;
  private repeatedB = 0;
  private unmatchedB = 0;
  private matched: Float64Array;
  private flips: Float64Array;
  private overlap: Float64Array;
  private one: Int16Array;

  constructor(
    readonly layers: number,
    readonly k: number,
    /** Events of run A, to size the arrays once. */
    capacityA: number,
  ) {
    this.next = new Int32Array(capacityA).fill(-1);
    this.ids = new Int16Array(capacityA * k);
    this.matched = new Float64Array(layers);
    this.flips = new Float64Array(layers);
    this.overlap = new Float64Array(layers);
    this.one = new Int16Array(k);
  }

  /** Run A's events, in upload order. Throws (via `onUnpairable`) on an event without a usable key. */
  addA(e: PairableEvents, onUnpairable: (seq: number, pos: number) => never) {
    const K = this.k;
    for (let t = 0; t < e.count; t++) {
      const key = keyOf(e, t, onUnpairable);
      const i = this.n++;
      for (let s = 0; s < K; s++) this.ids[i * K + s] = s < e.k ? e.experts[t * e.k + s] : -1;
      const tail = this.last.get(key);
      if (tail === undefined) this.first.set(key, i);
      else {
        this.next[tail] = i;
        this.repeatedA++;
      }
      this.last.set(key, i);
    }
  }

  /** Run B's events, in upload order, each paired with the next unpaired A event of its key. */
  addB(e: PairableEvents, onUnpairable: (seq: number, pos: number) => never) {
    const K = this.k;
    for (let t = 0; t < e.count; t++) {
      const key = keyOf(e, t, onUnpairable);
      const seen = this.cursor.has(key);
      if (seen) this.repeatedB++;
      const at = seen ? this.cursor.get(key)! : (this.first.get(key) ?? -1);
      if (at < 0) {
        this.cursor.set(key, -1);
        this.unmatchedB++;
        continue;
      }
      this.cursor.set(key, this.next[at]);
      for (let s = 0; s < K; s++) this.one[s] = s < e.k ? e.experts[t * e.k + s] : -1;
      const layer = e.layer[t];
      this.matched[layer]++;
      const held = this.ids.subarray(at * K, at * K + K);
      this.flips[layer] += topKFlips(K, held, this.one, 1);
      this.overlap[layer] += sharedExperts(K, held, this.one);
    }
  }

  result(): PairedResult {
    const total = this.matched.reduce((s, v) => s + v, 0);
    return {
      matched: this.matched,
      flips: this.flips,
      overlap: this.overlap,
      unmatchedA: this.n - total,
      unmatchedB: this.unmatchedB,
      repeatedA: this.repeatedA,
      repeatedB: this.repeatedB,
    };
  }
}

function keyOf(e: PairableEvents, t: number, onUnpairable: (seq: number, pos: number) => never): number {
  const seq = e.seq[t];
  const pos = e.pos[t];
  if (seq < 0 || seq >= 8_388_608 || pos < 0 || pos >= 2_097_152) onUnpairable(seq, pos);
  return eventKey(seq, pos, e.layer[t]);
}

/** |A ∩ B| for two top-k id lists (−1 = empty slot; ids within a list are distinct). */
function sharedExperts(k: number, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let s = 0; s < k; s++) {
    const e = a[s];
    if (e < 0) continue;
    for (let r = 0; r < k; r++)
      if (b[r] === e) {
        n++;
        break;
      }
  }
  return n;
}
