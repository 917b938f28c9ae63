import { addTransitionPair } from "@/lib/analysis/layer-aggregate";
import type { EventBatch } from "./event-batch";

/** Entries kept for joining layer-major traces; past this the upload gets no transitions (with a warning). */
export const MAX_PENDING = 1_000_000;

/**
 * Finds the pairs (token at layer l, same token at layer l + 1) in a stream of events, whatever the
 * format, to count transitions (A7). Two rules, each pair counted once:
 *  (a) adjacency: an event directly after the same (sequence, position) one layer earlier, which is
 *      how per-token formats and token-major loggers (decode steps included) write;
 *  (b) a keyed join on (sequence, position, layer) for layer-major loggers (all tokens of layer 0,
 *      then layer 1, ...), only for events whose position is not a repeat and is known.
 * Memory: (b) holds entries until both neighbours are joined; beyond MAX_PENDING it gives up.
 */
export class TransitionJoiner {
  readonly transitions: Float64Array[];
  failed: string | null = null;
  private pending = new Map<number | string, { experts: Int16Array; joinedBack: boolean; joinedFwd: boolean }>();
  private prev: { seq: number; pos: number; layer: number; key: number | string | null; experts: Int16Array } | null =
    null;

  constructor(
    readonly layers: number,
    readonly experts: number,
    readonly k: number,
  ) {
    this.transitions = Array.from({ length: Math.max(0, layers - 1) }, () => new Float64Array(experts * experts));
  }

  /** Events in file order; `b.repeat` marks positions already seen in that sequence and layer. */
  add(b: EventBatch) {
    const k = b.k;
    const repeat = b.repeat;
    for (let i = 0; i < b.count; i++) {
      const seq = b.seq[i];
      const pos = b.pos[i];
      const layer = b.layer[i];
      const ids = b.experts.subarray(i * k, (i + 1) * k);
      const key = pos >= 0 && !(repeat && repeat[i]) && !this.failed ? keyOf(seq, pos, layer) : null;
      let joinedBack = layer === 0;
      const p = this.prev;
      if (p && p.seq === seq && p.pos === pos && p.layer === layer - 1) {
        this.count(layer - 1, p.experts, ids);
        joinedBack = true;
        if (p.key !== null) this.markFwd(p.key);
      }
      if (key !== null) {
        if (!joinedBack) {
          const backKey = keyOf(seq, pos, layer - 1);
          const back = this.pending.get(backKey);
          if (back && !back.joinedFwd) {
            this.count(layer - 1, back.experts, ids);
            joinedBack = true;
            this.markFwd(backKey);
          }
        }
        // Token-major streams: the next event is this token's next layer, which rule (a) will
        // join; knowing it now spares a map entry per event.
        const nextAdjacent =
          i + 1 < b.count && b.seq[i + 1] === seq && b.pos[i + 1] === pos && b.layer[i + 1] === layer + 1;
        let joinedFwd = layer === this.layers - 1 || nextAdjacent;
        const fwdKey = joinedFwd ? null : keyOf(seq, pos, layer + 1);
        const fwd = fwdKey === null ? undefined : this.pending.get(fwdKey);
        if (fwdKey !== null && fwd && !fwd.joinedBack) {
          this.count(layer, ids, fwd.experts);
          joinedFwd = true;
          fwd.joinedBack = true;
          if (fwd.joinedFwd) this.pending.delete(fwdKey);
        }
        // A copy: a view would keep the whole batch alive while the entry waits.
        if (!(joinedBack && joinedFwd)) this.pending.set(key, { experts: ids.slice(), joinedBack, joinedFwd });
        if (this.pending.size > MAX_PENDING) {
          this.failed = `the trace interleaves more than ${MAX_PENDING} tokens' layers; transitions need per-token or token-major order`;
          this.pending.clear();
        }
      }
      this.prev = { seq, pos, layer, key, experts: ids };
    }
  }

  private markFwd(key: number | string) {
    const e = this.pending.get(key);
    if (!e) return;
    e.joinedFwd = true;
    if (e.joinedBack) this.pending.delete(key);
  }

  private count(layer: number, from: Int16Array, to: Int16Array) {
    addTransitionPair(this.transitions[layer], this.experts, from, to);
  }
}

/** A numeric key while (sequence, position, layer) fit in 53 bits (always, in practice); a string beyond. */
function keyOf(seq: number, pos: number, layer: number): number | string {
  return seq < 2 ** 20 && pos < 2 ** 21 && layer < 2 ** 11
    ? (seq * 2 ** 21 + pos) * 2 ** 11 + layer
    : `${seq}:${pos}:${layer}`;
}
