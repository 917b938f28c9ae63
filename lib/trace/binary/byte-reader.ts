import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";
import zlib from "node:zlib";
import { invalid } from "@/lib/errors";

/** Sequential reads of exact byte counts from one array's data, wherever it comes from. */
export interface ByteReader {
  /** Exactly `n` bytes; throws a 400 "truncated" naming `what` when the data ends first. */
  read(n: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Reads from an async stream of chunks, keeping at most one chunk beyond what was asked. */
export class StreamReader implements ByteReader {
  private it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  consumed = 0;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly what: string,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let have = 0;
    while (have < n) {
      if (this.pos >= this.buf.length) {
        const r = await this.it.next();
        if (r.done)
          throw invalid(
            "truncated",
            `${this.what} ends after ${this.consumed + have} bytes; ${this.consumed + n} were expected (a truncated file?)`,
            this.what,
          );
        this.buf = r.value;
        this.pos = 0;
      }
      const take = Math.min(n - have, this.buf.length - this.pos);
      out.set(this.buf.subarray(this.pos, this.pos + take), have);
      this.pos += take;
      have += take;
    }
    this.consumed += n;
    return out;
  }

  /** Whether any bytes remain after what was read (trailing garbage is an error for callers). */
  async atEnd(): Promise<boolean> {
    if (this.pos < this.buf.length) return false;
    const r = await this.it.next();
    if (r.done) return true;
    this.buf = r.value;
    this.pos = 0;
    return this.buf.length === 0 ? this.atEnd() : false;
  }

  async close() {
    await this.it.return?.();
  }
}

/** Reads a byte range of a (spooled) file. */
export class FileRangeReader implements ByteReader {
  private at: number;

  constructor(
    private fh: FileHandle,
    start: number,
    private end: number,
    readonly what: string,
  ) {
    this.at = start;
  }

  async read(n: number): Promise<Uint8Array> {
    if (this.at + n > this.end) {
      throw invalid(
        "truncated",
        `${this.what} holds ${this.end - this.at} more bytes but ${n} were expected (a truncated file?)`,
        this.what,
      );
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(out, got, n - got, this.at + got);
      if (bytesRead === 0) throw invalid("truncated", `${this.what} ends early`, this.what);
      got += bytesRead;
    }
    this.at += n;
    return out;
  }

  async close() {}
}

/** Inflates a deflate-compressed byte range of a file (a zip member) as it is read. */
export function inflateReader(path: string, start: number, length: number, what: string): StreamReader {
  const raw =
    length > 0
      ? fs.createReadStream(path, { start, end: start + length - 1, highWaterMark: 1 << 20 })
      : fs.createReadStream(path, { start: 0, end: -1 });
  const inflated = raw.pipe(zlib.createInflateRaw({ chunkSize: 1 << 20 }));
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of inflated) yield c as Uint8Array;
    } catch (e) {
      throw invalid("corrupt_archive", `${what} cannot be inflated: ${(e as Error).message}`, what);
    }
  }
  return new StreamReader(chunks(), what);
}

/**
 * Checks a zip member's CRC-32 as it is read: tampered or corrupted data is refused, not counted.
 * The check runs when the member's last byte is read, or at `verify()` (which reads what is left).
 */
export class Crc32Reader implements ByteReader {
  private crc = 0;
  private read_ = 0;
  private checked = false;

  constructor(
    private inner: ByteReader,
    private readonly size: number,
    private readonly expected: number,
    readonly what: string,
  ) {}

  async read(n: number): Promise<Uint8Array> {
    const out = await this.inner.read(n);
    this.crc = zlib.crc32(out, this.crc);
    this.read_ += n;
    if (this.read_ === this.size) this.check();
    return out;
  }

  /** Reads the rest of the member (if any) and checks the CRC. */
  async verify(): Promise<void> {
    if (this.checked) return;
    while (this.read_ < this.size) await this.read(Math.min(1 << 20, this.size - this.read_));
    this.check();
  }

  private check() {
    if (this.checked) return;
    this.checked = true;
    if (this.crc >>> 0 !== this.expected >>> 0) {
      throw invalid(
        "crc_mismatch",
        `the data's CRC-32 is ${hex(this.crc)} but the archive says ${hex(this.expected)}: the file is corrupted or was altered`,
        this.what,
      );
    }
  }

  close() {
    return this.inner.close();
  }
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
