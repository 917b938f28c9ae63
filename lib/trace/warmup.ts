import { EventBatchBuilder, type EventBatch } from "./event-batch";
import { RepeatTracker } from "./repeat-tracker";

/**
 * Serving engines run dummy profiling and warm-up passes before real requests (vLLM profiles the
 * largest batch it may see, CUDA-graph capture replays fixed inputs). Their tokens are identical,
 * so their routing is too, and counted naively they dominate the loads. A warm-up run, as defined
 * here: at least WARMUP_MIN_RUN consecutive events of one layer (in upload order) with the same
 * expert ids in the same order, bit-identical gate weights and, when logged, logits. Real tokens
 * never do this when weights are logged (weights differ in the last bits); without weights a
 * collapsed router could, which is why the default is to warn and exclusion is asked for.
 */
export const WARMUP_MIN_RUN = 256;

/** The definition as the upload form states it. */
export const WARMUP_DEFINITION = `A warm-up run is ${WARMUP_MIN_RUN} or more consecutive events of one layer with the same experts in the same order, bit-identical gate weights and (when logged) logits: what engines' dummy profiling and warm-up passes produce. They are always reported with their extent; checked, they are left out of every count and of the stored events.`;

export interface WarmupRun {
  layer: number;
  /** 1-based index of the run's first event among the events of its layer, in upload order. */
  firstEvent: number;
  events: number;
  experts: number[];
  /** Sequence id and positions of the first and last event, -1 when unknown. */
  seq: number;
  posFrom: number;
  posTo: number;
}

export interface WarmupReport {
  /** Runs of identical routing (the first MAX_LISTED of them; `runCount` counts all). */
  runs: WarmupRun[];
  runCount: number;
  /** Events inside runs. */
  events: number;
  excluded: boolean;
}

const MAX_LISTED = 64;
/** Events held back while excluding; beyond this the oldest undecided run is taken as real routing. */
export const MAX_HELD = 1 << 20;

/** A run of identical routing in one layer, while it is being read. */
interface OpenRun {
  layer: number;
  length: number;
  /** Decided: real routing (shorter than the minimum) or warm-up; undecided while it may grow. */
  state: "open" | "real" | "warmup";
  firstEvent: number;
  seq: number;
  posFrom: number;
  posTo: number;
  /** The batch and index of the run's last event, to compare the next event of the layer with. */
  batch: EventBatch;
  index: number;
}

/**
 * Finds warm-up runs in a stream of event batches and, when asked, leaves them out. Detection only
 * compares each event with the previous one of its layer. Exclusion must decide an event before it
 * is passed on, so events are held back (in upload order, which the transition joiner relies on)
 * until their run either ends short, and they pass, or reaches the minimum, and they are dropped.
 */
export class WarmupFilter {
  private current: (OpenRun | null)[];
  private eventsInLayer: Int32Array;
  private found: WarmupRun[] = [];
  private runCount = 0;
  private warmupEvents = 0;
  // Held events (exclusion only), a queue as parallel arrays.
  private heldBatch: EventBatch[] = [];
  private heldIndex: number[] = [];
  private heldRun: OpenRun[] = [];
  private head = 0;
  private out: EventBatchBuilder;
  /** Repeats among the passed events only: dropped events must not make real ones repeats. */
  private repeats = new RepeatTracker();
  /** Events the parser marked as repeats that are not, once the warm-up events are gone. */
  repeatsCleared = 0;

  constructor(
    readonly layers: number,
    readonly experts: number,
    readonly k: number,
    readonly opts: { exclude: boolean; minRun?: number; batchSize: number },
  ) {
    this.current = Array.from({ length: layers }, () => null);
    this.eventsInLayer = new Int32Array(layers);
    this.out = new EventBatchBuilder(opts.batchSize, k, experts);
  }

  private get minRun() {
    return this.opts.minRun ?? WARMUP_MIN_RUN;
  }

  /** Batches to pass on for one parsed batch: the batch itself when only detecting. */
  *pass(b: EventBatch): Generator<EventBatch> {
    for (let i = 0; i < b.count; i++) {
      const run = this.track(b, i);
      if (this.opts.exclude) {
        this.heldBatch.push(b);
        this.heldIndex.push(i);
        this.heldRun.push(run);
        yield* this.drain(false);
      }
    }
    if (!this.opts.exclude) yield b;
  }

  /** What is still held, at the end of the upload: open runs shorter than the minimum are real. */
  *flush(): Generator<EventBatch> {
    for (const run of this.current) if (run) this.close(run);
    if (!this.opts.exclude) return;
    yield* this.drain(true);
    const last = this.out.take();
    if (last) yield last;
  }

  report(): WarmupReport {
    return { runs: this.found, runCount: this.runCount, events: this.warmupEvents, excluded: this.opts.exclude };
  }

  private track(b: EventBatch, i: number): OpenRun {
    const layer = b.layer[i];
    const n = ++this.eventsInLayer[layer];
    let run = this.current[layer];
    if (run && sameRouting(run.batch, run.index, b, i, this.k, this.experts)) {
      run.length++;
      run.batch = b;
      run.index = i;
      run.posTo = b.pos[i];
      // A run already let through as real (held too long) stays real.
      if (run.length === this.minRun && run.state === "open") run.state = "warmup";
      return run;
    }
    if (run) this.close(run);
    run = {
      layer,
      length: 1,
      state: "open",
      firstEvent: n,
      seq: b.seq[i],
      posFrom: b.pos[i],
      posTo: b.pos[i],
      batch: b,
      index: i,
    };
    this.current[layer] = run;
    return run;
  }

  private close(run: OpenRun) {
    if (run.state === "open") run.state = "real";
    if (run.state === "warmup" && this.current[run.layer] === run) {
      this.runCount++;
      this.warmupEvents += run.length;
      if (this.found.length < MAX_LISTED) {
        const k = this.k;
        const experts = Array.from(run.batch.experts.subarray(run.index * k, run.index * k + k)).filter((e) => e >= 0);
        this.found.push({
          layer: run.layer,
          firstEvent: run.firstEvent,
          events: run.length,
          experts,
          seq: run.seq,
          posFrom: run.posFrom,
          posTo: run.posTo,
        });
      }
    }
    this.current[run.layer] = null;
  }

  private *drain(final: boolean): Generator<EventBatch> {
    while (this.head < this.heldRun.length) {
      const run = this.heldRun[this.head];
      if (run.state === "open") {
        if (!final && this.heldRun.length - this.head < MAX_HELD) break;
        // Held too long (or the upload ended): not consecutive enough to call it a warm-up pass.
        run.state = "real";
      }
      if (run.state === "real") {
        this.copy(this.heldBatch[this.head], this.heldIndex[this.head]);
        if (this.out.full) yield this.out.take()!;
      }
      this.head++;
    }
    // Compact the queue now and then, not per event.
    if (this.head > 65536 && this.head * 2 > this.heldRun.length) {
      this.heldBatch = this.heldBatch.slice(this.head);
      this.heldIndex = this.heldIndex.slice(this.head);
      this.heldRun = this.heldRun.slice(this.head);
      this.head = 0;
    }
  }

  private copy(src: EventBatch, i: number) {
    const { k, experts: E } = this;
    const { b, i: j } = this.out.push();
    b.layer[j] = src.layer[i];
    b.experts.set(src.experts.subarray(i * k, i * k + k), j * k);
    if (src.weights) this.out.weightsArray().set(src.weights.subarray(i * k, i * k + k), j * k);
    if (src.logits) this.out.logitsArray().set(src.logits.subarray(i * E, i * E + E), j * E);
    b.seq[j] = src.seq[i];
    b.pos[j] = src.pos[i];
    b.tokenId[j] = src.tokenId[i];
    b.label[j] = src.label[i];
    // Recomputed over the events kept: a dropped warm-up pass at positions 0..n must not turn the
    // real tokens at those positions into repeats (which the transition joiner skips).
    if (src.repeat) {
      b.repeat![j] = this.repeats.repeats(src.seq[i], src.layer[i], src.pos[i]) ? 1 : 0;
      if (src.repeat[i] && !b.repeat![j]) this.repeatsCleared++;
    } else b.repeat![j] = 0;
  }
}

function sameRouting(a: EventBatch, i: number, b: EventBatch, j: number, k: number, E: number): boolean {
  for (let s = 0; s < k; s++) if (a.experts[i * k + s] !== b.experts[j * k + s]) return false;
  if ((a.weights === null) !== (b.weights === null)) return false;
  if (a.weights && b.weights)
    for (let s = 0; s < k; s++) if (!Object.is(a.weights[i * k + s], b.weights[j * k + s])) return false;
  if (a.logits && b.logits)
    for (let e = 0; e < E; e++) if (!Object.is(a.logits[i * E + e], b.logits[j * E + e])) return false;
  return true;
}

/** One sentence for the upload's warnings: how much, where, and what to do about it. */
export function describeWarmup(r: WarmupReport, totalEvents: number): string {
  const share = totalEvents ? ` (${((100 * r.events) / totalEvents).toFixed(1)}% of ${totalEvents})` : "";
  // Runs with the same extent in many layers are one pass through the model: list them once.
  const groups = new Map<string, WarmupRun[]>();
  for (const run of r.runs) {
    const key = `${run.firstEvent}:${run.events}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const shown = [...groups.values()].slice(0, 3).map((runs) => {
    const x = runs[0];
    const layers =
      runs.length === 1 ? `layer ${x.layer}` : `${runs.length} layers (${layerRange(runs.map((q) => q.layer))})`;
    const pos = x.posFrom >= 0 ? `, positions ${x.posFrom}–${x.posTo}` : "";
    return `${layers}: events ${x.firstEvent}–${x.firstEvent + x.events - 1} of the layer${pos}, experts [${x.experts.join(", ")}]`;
  });
  const more = groups.size > 3 || r.runCount > r.runs.length ? "; ..." : "";
  const head = `${r.runCount} run${r.runCount > 1 ? "s" : ""} of identical routing (${WARMUP_MIN_RUN}+ consecutive events of a layer with the same experts and weights, as profiling and warm-up passes produce) hold ${r.events} events${share}: ${shown.join("; ")}${more}.`;
  return r.excluded
    ? `${head} They were excluded (exclude_warmup) and are not counted.`
    : `${head} They are counted; upload with exclude_warmup=1 (CLI --exclude-warmup) to leave them out.`;
}

function layerRange(layers: number[]): string {
  const s = [...layers].sort((a, b) => a - b);
  const contiguous = s.every((l, i) => i === 0 || l === s[i - 1] + 1);
  return contiguous ? `${s[0]}–${s[s.length - 1]}` : s.slice(0, 8).join(", ") + (s.length > 8 ? ", ..." : "");
}
