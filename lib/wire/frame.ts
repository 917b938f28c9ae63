/**
 * A binary frame: typed arrays on the wire with a small JSON header, read in the browser straight
 * into typed arrays (no nested number[][] between storage and canvas; Perfetto is the model).
 *
 * Layout (all little-endian):
 *   bytes 0..3   magic "MAF1" (MoE Atlas frame, version 1)
 *   bytes 4..7   uint32: byte length H of the header
 *   bytes 8..    H bytes of UTF-8 JSON: { meta, arrays: [{ name, dtype, shape, offset, length }] }
 *   then each array's elements at its `offset` (from the start of the frame, a multiple of 8, so
 *   the decoder makes typed-array views on the received buffer without copying).
 *
 * numpy: `h = json.loads(b[8:8+int.from_bytes(b[4:8], "little")])`, then per array
 * `np.frombuffer(b, "<f8" | "<f4" | "<u4", count=a["length"], offset=a["offset"]).reshape(a["shape"])`.
 * Pure: no I/O, the same code on the server and in the browser.
 */

export const FRAME_CONTENT_TYPE = "application/vnd.moe-atlas.frame";
const MAGIC = [0x4d, 0x41, 0x46, 0x31]; // "MAF1"

export const DTYPES = ["float64", "float32", "uint32"] as const;
export type Dtype = (typeof DTYPES)[number];
export type WireArray = Float64Array | Float32Array | Uint32Array;

const CTORS = { float64: Float64Array, float32: Float32Array, uint32: Uint32Array } as const;
const BYTES: Record<Dtype, number> = { float64: 8, float32: 4, uint32: 4 };

export interface ArrayEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  offset: number;
  length: number;
}

/** A malformed frame (truncated, wrong magic, an array outside the buffer): not silently repaired. */
export class WireError extends Error {}

/**
 * The narrowest dtype that holds every value exactly: uint32 for non-negative integers below 2^32
 * (co-activation and load counts: half the bytes of float64), float32 when every value survives
 * Math.fround, else float64. Exact by construction: the decoded numbers equal the encoded ones.
 */
export function exactDtype(values: ArrayLike<number>): Dtype {
  let uint = true;
  let f32 = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (uint && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) uint = false;
    if (f32 && Math.fround(v) !== v && !Number.isNaN(v)) f32 = false;
    if (!uint && !f32) return "float64";
  }
  return uint ? "uint32" : "float32";
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align8 = (n: number) => (n + 7) & ~7;

export interface EncodeArray {
  values: ArrayLike<number>;
  shape: number[];
  /** Default: exactDtype(values). */
  dtype?: Dtype;
}

/** Encodes meta (any JSON) and named arrays into one frame. */
export function encodeFrame(meta: unknown, arrays: Record<string, EncodeArray>): Uint8Array {
  const entries: ArrayEntry[] = [];
  const names = Object.keys(arrays);
  for (const name of names) {
    const a = arrays[name];
    const count = a.shape.reduce((p, d) => p * d, 1);
    if (count !== a.values.length)
      throw new WireError(`array ${name}: shape ${a.shape.join("x")} does not hold ${a.values.length} values`);
    entries.push({ name, dtype: a.dtype ?? exactDtype(a.values), shape: a.shape, offset: 0, length: count });
  }
  // Offsets depend on the header's length and the header holds the offsets: lay out with a
  // header length that only grows until it fits (at most a few passes).
  let headerBytes = new Uint8Array(0);
  for (let reserved = 0; ;) {
    let at = align8(8 + reserved);
    for (const e of entries) {
      e.offset = at;
      at = align8(at + e.length * BYTES[e.dtype]);
    }
    headerBytes = new TextEncoder().encode(JSON.stringify({ meta, arrays: entries }));
    if (headerBytes.length <= reserved) break;
    reserved = headerBytes.length + 16;
  }
  const last = entries[entries.length - 1];
  const total = last ? align8(last.offset + last.length * BYTES[last.dtype]) : align8(8 + headerBytes.length);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  // Pad the header with spaces up to the first array (valid JSON whitespace).
  const headerLength = (entries[0]?.offset ?? total) - 8;
  new DataView(out.buffer).setUint32(4, headerLength, true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(headerBytes, 8);
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    const src = arrays[names[k]].values;
    if (littleEndian) {
      const view = new CTORS[e.dtype](out.buffer, e.offset, e.length);
      for (let i = 0; i < e.length; i++) view[i] = src[i];
    } else {
      const dv = new DataView(out.buffer, e.offset, e.length * BYTES[e.dtype]);
      for (let i = 0; i < e.length; i++) writeLE(dv, e.dtype, i, src[i]);
    }
  }
  return out;
}

function writeLE(dv: DataView, dtype: Dtype, i: number, v: number) {
  if (dtype === "float64") dv.setFloat64(i * 8, v, true);
  else if (dtype === "float32") dv.setFloat32(i * 4, v, true);
  else dv.setUint32(i * 4, v, true);
}

export interface Frame<M> {
  meta: M;
  arrays: Record<string, WireArray>;
  shapes: Record<string, number[]>;
}

/** Decodes a frame into its meta and typed-array views on `buffer` (copies only on a big-endian host). */
export function decodeFrame<M = unknown>(buffer: ArrayBuffer): Frame<M> {
  if (buffer.byteLength < 8)
    throw new WireError(`frame of ${buffer.byteLength} bytes is shorter than its 8-byte preamble`);
  const bytes = new Uint8Array(buffer);
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new WireError("not a MoE Atlas frame (magic is not MAF1)");
  const headerLength = new DataView(buffer).getUint32(4, true);
  if (8 + headerLength > buffer.byteLength)
    throw new WireError(`header of ${headerLength} bytes runs past the frame's ${buffer.byteLength}`);
  let header: { meta: M; arrays: ArrayEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new WireError(`frame header is not JSON: ${(e as Error).message}`);
  }
  if (!header || !Array.isArray(header.arrays)) throw new WireError("frame header has no arrays list");
  const arrays: Record<string, WireArray> = {};
  const shapes: Record<string, number[]> = {};
  for (const e of header.arrays) {
    if (!(DTYPES as readonly string[]).includes(e.dtype))
      throw new WireError(`array ${e.name}: unknown dtype ${e.dtype}`);
    const size = BYTES[e.dtype];
    if (
      !Number.isInteger(e.offset) ||
      e.offset % 8 !== 0 ||
      e.offset < 8 + headerLength ||
      !Number.isInteger(e.length) ||
      e.length < 0 ||
      e.offset + e.length * size > buffer.byteLength
    ) {
      throw new WireError(
        `array ${e.name}: bytes ${e.offset}..${e.offset + e.length * size} are not inside the frame's ${buffer.byteLength}`,
      );
    }
    if (e.shape.reduce((p, d) => p * d, 1) !== e.length)
      throw new WireError(`array ${e.name}: shape ${e.shape.join("x")} does not hold ${e.length} values`);
    if (littleEndian) arrays[e.name] = new CTORS[e.dtype](buffer, e.offset, e.length);
    else {
      const dv = new DataView(buffer, e.offset, e.length * size);
      const a = new CTORS[e.dtype](e.length);
      for (let i = 0; i < e.length; i++)
        a[i] =
          e.dtype === "float64"
            ? dv.getFloat64(i * 8, true)
            : e.dtype === "float32"
              ? dv.getFloat32(i * 4, true)
              : dv.getUint32(i * 4, true);
      arrays[e.name] = a;
    }
    shapes[e.name] = e.shape;
  }
  return { meta: header.meta, arrays, shapes };
}

/** Row `i` of a row-major n-column matrix, as a view (no copy). */
export const rowOf = <A extends WireArray>(m: A, n: number, i: number): A => m.subarray(i * n, (i + 1) * n) as A;
