import { ApiError, badRequest } from "@/lib/api/api-error";

/** Longest line accepted; a JSONL event is a few hundred bytes, a per-token line with logits a few MB. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** One line of a byte stream: its text, 1-based number and the byte offset where it starts. */
export interface Line {
  text: string;
  number: number;
  offset: number;
}

/**
 * Splits a byte stream into lines, holding at most one partial line beyond the current chunk.
 * Each chunk is decoded once (the hot path for multi-GB JSONL); byte offsets stay exact for any
 * UTF-8, computed per line only when a chunk is not pure ASCII. Invalid UTF-8 is reported with
 * its line and byte.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Line[]> {
  let carry: Uint8Array | null = null;
  let carryOffset = 0;
  let number = 0;
  let offset = 0;
  for await (const chunk of source) {
    let buf: Uint8Array = chunk;
    let bufOffset = offset;
    if (carry) {
      const merged = new Uint8Array(carry.length + chunk.length);
      merged.set(carry);
      merged.set(chunk, carry.length);
      buf = merged;
      bufOffset = carryOffset;
      carry = null;
    }
    const end = buf.lastIndexOf(10) + 1; // complete lines end at the last newline
    if (end < buf.length) {
      if (buf.length - end > MAX_LINE_BYTES) {
        throw new ApiError(413, "line_too_long", `line ${number + 1} is longer than ${MAX_LINE_BYTES} bytes`, `line ${number + 1}, byte ${bufOffset + end}`);
      }
      carry = buf.slice(end);
      carryOffset = bufOffset + end;
    }
    offset = bufOffset + buf.length;
    if (end === 0) continue;
    const lines = decodeLines(buf.subarray(0, end), number, bufOffset);
    number += lines.length;
    yield lines;
  }
  if (carry && carry.length) {
    yield decodeLines(carry, number, carryOffset, true);
  }
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
function invalidUtf8(bytes: Uint8Array, before: number, baseOffset: number): ApiError {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let n = before + 1; start < bytes.length; n++) {
    let nl = bytes.indexOf(10, start);
    if (nl < 0) nl = bytes.length;
    try {
      strict.decode(bytes.subarray(start, nl));
    } catch {
      return badRequest("invalid_utf8", `line ${n} is not valid UTF-8 text`, `line ${n}, byte ${baseOffset + start}`);
    }
    start = nl + 1;
  }
  return badRequest("invalid_utf8", "the upload is not valid UTF-8 text", `byte ${baseOffset}`);
}
