/** float64 arrays <-> bytea. Copies on read because driver buffers need not be 8-byte aligned. */
export function f64ToBytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function bytesToF64(b: Uint8Array): Float64Array {
  if (b.byteLength % 8 !== 0) throw new Error(`stored float64 array has ${b.byteLength} bytes, not a multiple of 8`);
  // new Uint8Array(b) copies; Buffer#slice would not, and shares node-postgres's pooled memory.
  return new Float64Array(new Uint8Array(b).buffer);
}
