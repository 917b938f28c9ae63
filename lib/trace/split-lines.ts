import { DomainError, invalid, tooLarge } from "@/lib/errors";

/**
 * Longest line accepted (ATLAS_MAX_LINE_BYTES, default 4 MiB). A JSONL event is a few hundred
 * bytes and a per-token line with DeepSeek-V3's 58 x 256 logits about 330 kB; the bound keeps one
 * JSON.parse of a line near 20 ms, so no upload holds the event loop much longer than that.
 */
export function maxLineBytes(): number {
  const v = Number(process.env.ATLAS_MAX_LINE_BYTES ?? 4 * 1024 * 1024);
  return Number.isFinite(v) && v > 0 ? v : 4 * 1024 * 1024;
}

/** One line of a byte stream: its text, 1-based number and the byte offset where it starts. */
export interface Line {
  text: string;
  number: number;
  offset: number;
}

/**
 * Splits a byte stream into lines, holding at most one partial line beyond the current chunk.
 * Linear in the input: each byte is scanned for a newline once (a partial line is kept as a list
 * of pieces and joined once, when its newline arrives), and a line longer than the limit is
 * refused as soon as it passes the limit, without reading on. Each chunk is decoded once (the hot
 * path for multi-GB JSONL); byte offsets stay exact for any UTF-8, computed per line only when a
 * chunk is not pure ASCII. Invalid UTF-8 is reported with its line and byte.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Line[]> {
  const limit = maxLineBytes();
  let pieces: Uint8Array[] = [];
  let carried = 0;
  let carryOffset = 0;
  let number = 0;
  let offset = 0;
  const tooLong = (at: number, line = number + 1) =>
    tooLarge(
      "line_too_long",
      `line ${line} is longer than ${limit} bytes (ATLAS_MAX_LINE_BYTES); is this JSONL, one event or token per line?`,
      `line ${line}, byte ${at}`,
    );
  for await (const chunk of source) {
    const chunkOffset = offset;
    offset += chunk.length;
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      // No newline: the chunk only extends the partial line.
      if (carried === 0) carryOffset = chunkOffset;
      carried += chunk.length;
      if (carried > limit) throw tooLong(carryOffset);
      pieces.push(chunk);
      continue;
    }
    let buf = chunk.subarray(0, last + 1);
    let bufOffset = chunkOffset;
    if (carried) {
      const firstNl = chunk.indexOf(10);
      if (carried + firstNl > limit) throw tooLong(carryOffset);
      buf = concat(pieces, carried, buf);
      bufOffset = carryOffset;
    }
    const rest = chunk.subarray(last + 1);
    pieces = rest.length ? [rest] : [];
    carried = rest.length;
    carryOffset = chunkOffset + last + 1;
    if (carried > limit) throw tooLong(carryOffset);
    const lines = decodeLines(buf, number, bufOffset);
    // Only a block longer than the limit can hold a line longer than it.
    if (buf.length > limit)
      for (const l of lines) if (Buffer.byteLength(l.text) > limit) throw tooLong(l.offset, l.number);
    number += lines.length;
    yield lines;
  }
  if (carried) yield decodeLines(concat(pieces, carried, null), number, carryOffset, true);
}

function concat(pieces: Uint8Array[], carried: number, tail: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(carried + (tail?.length ?? 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  if (tail) out.set(tail, at);
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function decodeLines(bytes: Uint8Array, before: number, baseOffset: number, last = false): Line[] {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw invalidUtf8(bytes, before, baseOffset);
  }
  const ascii = text.length === bytes.length;
  const lines: Line[] = [];
  let start = 0;
  let byteAt = baseOffset;
  for (;;) {
    let nl = text.indexOf("\n", start);
    if (nl < 0) {
      if (!last || start >= text.length) break;
      nl = text.length;
    }
    const line = text.substring(start, nl);
    lines.push({ text: line, number: before + lines.length + 1, offset: ascii ? baseOffset + start : byteAt });
    if (!ascii) byteAt += Buffer.byteLength(line) + 1;
    start = nl + 1;
  }
  return lines;
}

/** Finds the first line that is not valid UTF-8, to say where. */
function invalidUtf8(bytes: Uint8Array, before: number, baseOffset: number): DomainError {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let n = before + 1; start < bytes.length; n++) {
    let nl = bytes.indexOf(10, start);
    if (nl < 0) nl = bytes.length;
    try {
      strict.decode(bytes.subarray(start, nl));
    } catch {
      return invalid("invalid_utf8", `line ${n} is not valid UTF-8 text`, `line ${n}, byte ${baseOffset + start}`);
    }
    start = nl + 1;
  }
  return invalid("invalid_utf8", "the upload is not valid UTF-8 text", `byte ${baseOffset}`);
}
