/**
 * Routing events in structure-of-arrays form: what every parser yields and what the chunk encoder
 * and the aggregator consume. Width k is the model's top-k; shorter top-k lists are padded with -1.
 */
export interface EventBatch {
  count: number;
  k: number;
  layer: Uint16Array;
  /** count * k expert ids, -1 = no expert. */
  experts: Int16Array;
  /** count * k gate weights, or null when the trace has none. */
  weights: Float32Array | null;
  /** count * E router logits, or null when the trace has none. */
  logits: Float32Array | null;
  seq: Int32Array;
  /** Token position, -1 when unknown. */
  pos: Int32Array;
  /** Token id, -1 when unknown. */
  tokenId: Int32Array;
  /** Index into the upload's label dictionary, -1 = no label. */
  label: Int16Array;
  /** 1 where the event repeats a position already seen in its sequence and layer; null when not tracked. */
  repeat: Uint8Array | null;
}

/** Fills fixed-capacity batches; `take()` hands over the filled part and starts a new one. */
export class EventBatchBuilder {
  private batch: EventBatch;

  constructor(
    readonly capacity: number,
    readonly k: number,
    readonly experts: number,
  ) {
    this.batch = this.allocate();
  }

  get count() {
    return this.batch.count;
  }

  get full() {
    return this.batch.count >= this.capacity;
  }

  /** Reserves the next event slot; the caller writes its fields at the returned index. */
  push(): { b: EventBatch; i: number } {
    const b = this.batch;
    const i = b.count++;
    b.experts.fill(-1, i * this.k, (i + 1) * this.k);
    b.pos[i] = -1;
    b.tokenId[i] = -1;
    b.label[i] = -1;
    b.seq[i] = 0;
    b.repeat![i] = 0;
    return { b, i };
  }

  /** Lazily allocated: most traces carry no logits, and logits dominate memory when they do. */
  weightsArray(): Float32Array {
    if (!this.batch.weights) this.batch.weights = new Float32Array(this.capacity * this.k).fill(Number.NaN);
    return this.batch.weights;
  }

  logitsArray(): Float32Array {
    if (!this.batch.logits) this.batch.logits = new Float32Array(this.capacity * this.experts).fill(Number.NaN);
    return this.batch.logits;
  }

  take(): EventBatch | null {
    const b = this.batch;
    if (b.count === 0) return null;
    this.batch = this.allocate();
    const n = b.count;
    return {
      count: n,
      k: b.k,
      layer: b.layer.subarray(0, n),
      experts: b.experts.subarray(0, n * b.k),
      weights: b.weights ? b.weights.subarray(0, n * b.k) : null,
      logits: b.logits ? b.logits.subarray(0, n * this.experts) : null,
      seq: b.seq.subarray(0, n),
      pos: b.pos.subarray(0, n),
      tokenId: b.tokenId.subarray(0, n),
      label: b.label.subarray(0, n),
      repeat: b.repeat ? b.repeat.subarray(0, n) : null,
    };
  }

  private allocate(): EventBatch {
    const c = this.capacity;
    return {
      count: 0,
      k: this.k,
      layer: new Uint16Array(c),
      experts: new Int16Array(c * this.k),
      weights: null,
      logits: null,
      seq: new Int32Array(c),
      pos: new Int32Array(c),
      tokenId: new Int32Array(c),
      label: new Int16Array(c),
      repeat: new Uint8Array(c),
    };
  }
}
