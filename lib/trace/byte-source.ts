import { createHash, type Hash } from "node:crypto";
import { tooLarge } from "@/lib/errors";

/**
 * Wraps an upload body: counts bytes (refusing past `maxBytes`), hashes them for duplicate
 * detection, and lets the first bytes be looked at before parsing starts.
 */
export class ByteSource implements AsyncIterable<Uint8Array> {
  bytes = 0;
  private hash: Hash = createHash("sha256");
  private buffered: Uint8Array[] = [];
  private iterator: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly maxBytes: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Reads until at least `n` bytes are buffered or the body ends; returns them without consuming. */
  async peek(n: number): Promise<Uint8Array> {
    let have = this.buffered.reduce((s, b) => s + b.length, 0);
    while (have < n && !this.done) {
      const chunk = await this.next();
      if (!chunk) break;
      this.buffered.push(chunk);
      have += chunk.length;
    }
    const out = new Uint8Array(Math.min(n, have));
    let at = 0;
    for (const b of this.buffered) {
      if (at >= out.length) break;
      const part = b.subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    while (this.buffered.length) yield this.buffered.shift()!;
    for (;;) {
      const chunk = await this.next();
      if (!chunk) return;
      yield chunk;
    }
  }

  /** Hex SHA-256 of everything read; call after the body was read to the end. */
  digest(): string {
    return this.hash.digest("hex");
  }

  private async next(): Promise<Uint8Array | null> {
    if (this.done) return null;
    const r = await this.iterator.next();
    if (r.done) {
      this.done = true;
      return null;
    }
    const chunk = r.value;
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      throw tooLarge(
        "upload_too_large",
        `the upload exceeds the limit of ${this.maxBytes} bytes (ATLAS_MAX_UPLOAD_BYTES)`,
        `byte ${this.maxBytes}`,
      );
    }
    this.hash.update(chunk);
    return chunk;
  }
}
