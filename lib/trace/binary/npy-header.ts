import { invalid } from "@/lib/errors";
import { npyDType, type DType } from "./dtype";

export interface NpyHeader {
  dtype: DType;
  shape: number[];
  /** Bytes before the data: magic, version, length field and header text. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Bytes needed to know the full header length. */
export const NPY_PREFIX = 12;

/** Length of the whole header given its first NPY_PREFIX bytes. */
export function npyHeaderLength(prefix: Uint8Array, where: string): number {
  if (prefix.length < 10 || !MAGIC.every((b, i) => prefix[i] === b))
    throw invalid("malformed_npy", "not a .npy array (no \\x93NUMPY magic)", where);
  const major = prefix[6];
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.length);
  if (major === 1) return 10 + dv.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw invalid("truncated", "the .npy header is cut off", where);
    return 12 + dv.getUint32(8, true);
  }
  throw invalid("malformed_npy", `unknown .npy format version ${major}`, where);
}

/** Parses the header dict, e.g. {'descr': '<i4', 'fortran_order': False, 'shape': (3, 32, 2), }. */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, where);
  if (bytes.length < dataOffset) throw invalid("truncated", "the .npy header is cut off", where);
  const text = new TextDecoder("latin1").decode(bytes.subarray(bytes[6] === 1 ? 10 : 12, dataOffset));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw invalid("malformed_npy", `cannot read the .npy header ${JSON.stringify(text.trim().slice(0, 80))}`, where);
  if (fortran === "True")
    throw invalid("wrong_layout", "Fortran-ordered arrays are not supported; save with np.ascontiguousarray", where);
  const dtype = npyDType(descr);
  if (typeof dtype === "string") throw invalid("wrong_dtype", dtype, where);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0))
    throw invalid("malformed_npy", `bad shape (${shapeText})`, where);
  return { dtype, shape, dataOffset };
}
