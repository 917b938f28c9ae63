import type { EventBatch } from "./event-batch";

/**
 * Compact column encoding of a batch of raw events for storage. Expert ids are stored as id + 1
 * (0 = no expert) in one byte up to 255 experts, two bytes beyond; layers in one byte up to 256
 * layers. Columns that carry nothing (no token ids, no labels) are null. All little-endian.
 */
export interface EncodedChunk {
  count: number;
  k: number;
  layers: Uint8Array;
  experts: Uint8Array;
  weights: Uint8Array | null;
  logits: Uint8Array | null;
  seq: Uint8Array;
  pos: Uint8Array;
  tokenIds: Uint8Array | null;
  labels: Uint8Array | null;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

export function encodeChunk(b: EventBatch, numLayers: number, numExperts: number): EncodedChunk {
  const wideIds = numExperts > 255;
  const ids = wideIds ? new Uint16Array(b.count * b.k) : new Uint8Array(b.count * b.k);
  for (let i = 0; i < ids.length; i++) ids[i] = b.experts[i] + 1;
  const layers = numLayers > 256 ? Uint16Array.from(b.layer) : Uint8Array.from(b.layer);
  return {
    count: b.count,
    k: b.k,
    layers: bytesOf(layers),
    experts: bytesOf(ids),
    weights: b.weights ? bytesOf(b.weights) : null,
    logits: b.logits ? bytesOf(b.logits) : null,
    seq: bytesOf(b.seq),
    pos: bytesOf(b.pos),
    tokenIds: b.tokenId.some((t) => t >= 0) ? bytesOf(b.tokenId) : null,
    labels: b.label.some((l) => l >= 0) ? bytesOf(b.label) : null,
  };
}

/** Inverse of encodeChunk. */
export function decodeChunk(c: EncodedChunk, numLayers: number, numExperts: number): EventBatch {
  const view = <T>(bytes: Uint8Array, Ctor: { new (b: ArrayBuffer): T }) => new Ctor(new Uint8Array(bytes).buffer);
  const rawIds = numExperts > 255 ? view(c.experts, Uint16Array) : view(c.experts, Uint8Array);
  const experts = new Int16Array(rawIds.length);
  for (let i = 0; i < experts.length; i++) experts[i] = rawIds[i] - 1;
  const layer = Uint16Array.from(numLayers > 256 ? view(c.layers, Uint16Array) : view(c.layers, Uint8Array));
  return {
    count: c.count,
    k: c.k,
    layer,
    experts,
    weights: c.weights ? view(c.weights, Float32Array) : null,
    logits: c.logits ? view(c.logits, Float32Array) : null,
    seq: view(c.seq, Int32Array),
    pos: view(c.pos, Int32Array),
    tokenId: c.tokenIds ? view(c.tokenIds, Int32Array) : new Int32Array(c.count).fill(-1),
    label: c.labels ? view(c.labels, Int16Array) : new Int16Array(c.count).fill(-1),
    repeat: null,
  };
}
