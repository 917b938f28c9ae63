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
 * Splits a byte stream into lines without holding more than one partial line beyond the current
 * chunk. Byte offsets are exact for any UTF-8; invalid UTF-8 is reported with its place.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry: Uint8Array | null = null;
  let carryOffset = 0;
  let number = 0;
  let offset = 0; // byte offset of the start of `buf`
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
    const lines: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      number++;
      lines.push({ text: decode(decoder, buf.subarray(start, nl), number, bufOffset + start), number, offset: bufOffset + start });
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_LINE_BYTES) {
        throw new ApiError(413, "line_too_long", `line ${number + 1} is longer than ${MAX_LINE_BYTES} bytes`, `line ${number + 1}, byte ${bufOffset + start}`);
      }
      carry = buf.slice(start);
      carryOffset = bufOffset + start;
    }
    offset = bufOffset + buf.length;
    if (lines.length) yield lines;
  }
  if (carry && carry.length) {
    number++;
    yield [{ text: decode(decoder, carry, number, carryOffset), number, offset: carryOffset }];
  }
}

function decode(decoder: TextDecoder, bytes: Uint8Array, line: number, offset: number): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw badRequest("invalid_utf8", `line ${line} is not valid UTF-8 text`, `line ${line}, byte ${offset}`);
  }
}
