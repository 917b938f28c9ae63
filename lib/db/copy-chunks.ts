import type { Pool } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { EncodedChunk } from "@/lib/trace/encode-chunk";

/**
 * Writes event chunks with COPY ... FROM STDIN (FORMAT binary) on Postgres. node-postgres sends
 * bytea parameters as hex text, doubling the bytes and costing the server a parse; raw logits are
 * most of a trace, so the binary COPY roughly halves the storage cost of an upload.
 */
export interface ChunkRow {
  uploadId: string;
  runId: string;
  chunkNo: number;
  labelNames: readonly string[];
  chunk: EncodedChunk;
}

const COLUMNS =
  "upload_id, run_id, chunk_no, count, k, label_names, layers, experts, weights, logits, seq, pos, token_ids, labels";
const TEXT_OID = 25;

export async function copyChunks(pool: Pool, rows: ChunkRow[]): Promise<void> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    const stream = client.query(copyFrom(`COPY event_chunks (${COLUMNS}) FROM STDIN (FORMAT binary)`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    stream.write(header());
    for (const r of rows) stream.write(tuple(r));
    stream.end(Buffer.from([0xff, 0xff])); // file trailer: field count -1
    await done;
  } catch (e) {
    failed = e as Error;
    throw e;
  } finally {
    // A connection that failed mid-COPY is destroyed, not handed to the next query (the discard of
    // this very upload's staged rows would otherwise run on it and fail too).
    client.release(failed);
  }
}

function header(): Buffer {
  const b = Buffer.alloc(19);
  b.write("PGCOPY\n\xff\r\n\0", 0, "latin1");
  b.writeInt32BE(0, 11); // flags
  b.writeInt32BE(0, 15); // header extension length
  return b;
}

function tuple(r: ChunkRow): Buffer {
  const c = r.chunk;
  const fields: (Buffer | null)[] = [
    Buffer.from(r.uploadId, "utf8"),
    Buffer.from(r.runId, "utf8"),
    int4(r.chunkNo),
    int4(c.count),
    int2(c.k),
    textArray(r.labelNames),
    bytes(c.layers),
    bytes(c.experts),
    c.weights && bytes(c.weights),
    c.logits && bytes(c.logits),
    bytes(c.seq),
    bytes(c.pos),
    c.tokenIds && bytes(c.tokenIds),
    c.labels && bytes(c.labels),
  ];
  const parts: Buffer[] = [int2(fields.length)];
  for (const f of fields) {
    if (f === null) parts.push(int4(-1));
    else parts.push(int4(f.length), f);
  }
  return Buffer.concat(parts);
}

const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function int4(v: number) {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function int2(v: number) {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

/** Postgres's binary array format: one dimension of text, no nulls. */
function textArray(values: readonly string[]): Buffer {
  const elems = values.map((v) => Buffer.from(v, "utf8"));
  const head = Buffer.alloc(values.length ? 20 : 12);
  head.writeInt32BE(values.length ? 1 : 0, 0); // dimensions
  head.writeInt32BE(0, 4); // has nulls
  head.writeInt32BE(TEXT_OID, 8);
  if (values.length) {
    head.writeInt32BE(values.length, 12);
    head.writeInt32BE(1, 16); // lower bound
  }
  return Buffer.concat([head, ...elems.flatMap((e) => [int4(e.length), e])]);
}
