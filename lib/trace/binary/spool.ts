import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";

/**
 * Writes an upload to a temporary file: archives (.npz) and safetensors keep their arrays one
 * after another, and events need every array's row for the same token, so they are read back
 * with random access. Memory stays bounded; the caller removes the file.
 */
export async function spoolToFile(source: AsyncIterable<Uint8Array>, ext: string): Promise<{ file: string; size: number; remove: () => Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(process.env.ATLAS_TMP_DIR ?? os.tmpdir(), "atlas-upload-"));
  const file = path.join(dir, `upload${ext}`);
  const remove = () => fs.promises.rm(dir, { recursive: true, force: true });
  try {
    await pipeline(Readable.from(source), fs.createWriteStream(file));
    return { file, size: (await fs.promises.stat(file)).size, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
