import fs from "node:fs";
import { invalid } from "@/lib/errors";
import type { EventBatch } from "../event-batch";
import type { ParseContext } from "../parse-context";
import { Crc32Reader, FileRangeReader, inflateReader, type ByteReader } from "./byte-reader";
import { readNpyHeader, readNpyStrings } from "./read-npy-array";
import { spoolToFile } from "./spool";
import { tensorEvents, type TensorSource } from "./tensor-events";
import { readZipDirectory } from "./zip-directory";

/** .npz written by np.savez (stored) or np.savez_compressed (deflate). */
export async function* parseNpz(source: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<EventBatch> {
  const spooled = await spoolToFile(source, ".npz");
  const fh = await fs.promises.open(spooled.file, "r");
  const readers: Crc32Reader[] = [];
  try {
    const members = await readZipDirectory(fh, spooled.size);
    const open = (m: (typeof members)[number], where: string) => {
      const raw: ByteReader =
        m.method === 0
          ? new FileRangeReader(fh, m.dataOffset, m.dataOffset + m.compressedSize, where)
          : inflateReader(spooled.file, m.dataOffset, m.compressedSize, where);
      const r = new Crc32Reader(raw, m.size, m.crc32, where);
      readers.push(r);
      return r;
    };
    const arrays = new Map<string, TensorSource>();
    let labelNames: string[] | null = null;
    for (const m of members) {
      if (!m.name.endsWith(".npy")) continue;
      const name = m.name.slice(0, -4);
      const where = `array ${name} (.npz)`;
      const reader = open(m, where);
      if (name === "label_names") labelNames = await readNpyStrings(reader, where);
      else arrays.set(name, { ...(await readNpyHeader(reader, where)), reader, where });
    }
    if (!arrays.size) throw invalid("missing_array", "the .npz holds no .npy arrays", "zip archive");
    yield* tensorEvents(arrays, labelNames, ctx);
    // Every array read is checked before the upload may count (its events are only staged so far).
    for (const r of readers) await r.verify();
  } finally {
    await Promise.all(readers.map((r) => r.close()));
    await fh.close();
    await spooled.remove();
  }
}
