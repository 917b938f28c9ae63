import { invalid } from "@/lib/errors";
import type { ByteReader } from "./byte-reader";
import { npyHeaderLength, parseNpyHeader, type NpyHeader } from "./npy-header";

/** Reads a .npy header from the start of `reader`, leaving it at the data. */
export async function readNpyHeader(reader: ByteReader, where: string): Promise<NpyHeader> {
  const first = await reader.read(10);
  const major = first[6];
  const prefix = major === 1 ? first : concat(first, await reader.read(2));
  const total = npyHeaderLength(prefix, where);
  const rest = await reader.read(total - prefix.length);
  return parseNpyHeader(concat(prefix, rest), where);
}

/**
 * A string array (label_names): numpy's fixed-width unicode ('<U8', UTF-32) or bytes ('|S8').
 * Object arrays would need pickle, which the server never runs.
 */
export async function readNpyStrings(reader: ByteReader, where: string): Promise<string[]> {
  const bytes = await reader.read(10);
  const major = bytes[6];
  const prefix = major === 1 ? bytes : concat(bytes, await reader.read(2));
  const total = npyHeaderLength(prefix, where);
  const header = concat(prefix, await reader.read(total - prefix.length));
  const text = new TextDecoder("latin1").decode(header);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1] ?? "";
  const shape = /'shape'\s*:\s*\(\s*(\d+)\s*,?\s*\)/.exec(text);
  if (descr === "|O")
    throw invalid(
      "wrong_dtype",
      "label_names is an object array (needs pickle, never run by the server); save it with dtype=str",
      where,
    );
  const m = /^[<|=]([US])(\d+)$/.exec(descr);
  if (!m || !shape)
    throw invalid("wrong_dtype", `label_names must be a 1-D string array, got dtype ${descr || "?"}`, where);
  const n = Number(shape[1]);
  const width = Number(m[2]);
  const unit = m[1] === "U" ? 4 : 1;
  const data = await reader.read(n * width * unit);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const cell = data.subarray(i * width * unit, (i + 1) * width * unit);
    let s = "";
    if (unit === 4) {
      const dv = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
      for (let c = 0; c < width; c++) {
        const cp = dv.getUint32(c * 4, true);
        if (cp === 0) break;
        if (cp > 0x10ffff)
          throw invalid("invalid_field", `label_names[${i}] holds ${cp}, which is not a Unicode code point`, where);
        s += String.fromCodePoint(cp);
      }
    } else s = new TextDecoder().decode(cell).replace(/\0+$/, "");
    if (s.includes("\u0000"))
      throw invalid(
        "nul_character",
        `label_names[${i}] contains a NUL character (U+0000), which cannot be stored`,
        where,
      );
    out.push(s);
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
