/** Element types of .npy and safetensors arrays, normalized. */
export interface DType {
  kind: "int" | "uint" | "float" | "bfloat" | "bool";
  bytes: 1 | 2 | 4 | 8;
  /** Name as the file spelled it, for messages. */
  name: string;
}

const NPY_KINDS: Record<string, DType["kind"]> = { i: "int", u: "uint", f: "float", b: "bool" };

/** A numpy descr such as "<i4", "|u1", "<f2". Big-endian data is refused (no MoE tool writes it). */
export function npyDType(descr: string): DType | string {
  const m = /^([<>|=])([iufb])(\d)$/.exec(descr);
  if (!m) return `unsupported dtype "${descr}" (expected a little-endian integer or float)`;
  if (m[1] === ">") return `big-endian dtype "${descr}" is not supported; save little-endian arrays`;
  const bytes = Number(m[3]);
  if (![1, 2, 4, 8].includes(bytes)) return `unsupported dtype "${descr}"`;
  return { kind: NPY_KINDS[m[2]], bytes: bytes as DType["bytes"], name: descr };
}

const ST: Record<string, Omit<DType, "name">> = {
  I8: { kind: "int", bytes: 1 },
  I16: { kind: "int", bytes: 2 },
  I32: { kind: "int", bytes: 4 },
  I64: { kind: "int", bytes: 8 },
  U8: { kind: "uint", bytes: 1 },
  U16: { kind: "uint", bytes: 2 },
  U32: { kind: "uint", bytes: 4 },
  U64: { kind: "uint", bytes: 8 },
  F16: { kind: "float", bytes: 2 },
  BF16: { kind: "bfloat", bytes: 2 },
  F32: { kind: "float", bytes: 4 },
  F64: { kind: "float", bytes: 8 },
  BOOL: { kind: "bool", bytes: 1 },
};

export function safetensorsDType(name: string): DType | string {
  const d = ST[name];
  return d ? { ...d, name } : `unsupported safetensors dtype "${name}"`;
}

export const isInteger = (d: DType) => d.kind === "int" || d.kind === "uint";
export const isFloat = (d: DType) => d.kind === "float" || d.kind === "bfloat";

const F16_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    t[h] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  return t;
})();

/**
 * Decodes `n` little-endian elements from `bytes` into `out` (as numbers). Integers beyond 2^53
 * cannot be expert ids or positions, so the 64-bit types go through Number.
 */
export function decodeElements(bytes: Uint8Array, d: DType, n: number, out: Float64Array | Float32Array | Int32Array) {
  const aligned = bytes.byteOffset % d.bytes === 0 ? bytes : bytes.slice();
  const buf = aligned.buffer;
  const off = aligned.byteOffset;
  if (d.kind === "float" && d.bytes === 2) {
    const h = new Uint16Array(buf, off, n);
    for (let i = 0; i < n; i++) out[i] = F16_TABLE[h[i]];
    return;
  }
  if (d.kind === "bfloat") {
    const h = new Uint16Array(buf, off, n);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) {
      u[0] = h[i] << 16;
      out[i] = f[0];
    }
    return;
  }
  const view = typedView(d, buf, off, n);
  // Same element type: one memcpy instead of an element loop (logits are most of the bytes).
  if (Object.getPrototypeOf(view) === Object.getPrototypeOf(out)) {
    (out as Float32Array).set(view as Float32Array);
    return;
  }
  if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = Number(view[i]);
  } else {
    for (let i = 0; i < n; i++) out[i] = view[i];
  }
}

function typedView(d: DType, buf: ArrayBufferLike, off: number, n: number) {
  switch (`${d.kind}${d.bytes}`) {
    case "int1":
      return new Int8Array(buf, off, n);
    case "int2":
      return new Int16Array(buf, off, n);
    case "int4":
      return new Int32Array(buf, off, n);
    case "int8":
      return new BigInt64Array(buf, off, n);
    case "uint1":
    case "bool1":
      return new Uint8Array(buf, off, n);
    case "uint2":
      return new Uint16Array(buf, off, n);
    case "uint4":
      return new Uint32Array(buf, off, n);
    case "uint8":
      return new BigUint64Array(buf, off, n);
    case "float4":
      return new Float32Array(buf, off, n);
    case "float8":
      return new Float64Array(buf, off, n);
    default:
      throw new Error(`no view for ${d.name}`);
  }
}
