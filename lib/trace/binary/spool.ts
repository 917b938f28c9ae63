import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isProcessAlive } from "@/lib/process/is-process-alive";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";

const SPOOL_PREFIX = "atlas-upload-";
// This process: its pid and start time (a restarted container reuses its pid, never its start).
const OWNER = `${process.pid}.${Math.round(performance.timeOrigin)}`;
const spoolRoot = () => process.env.ATLAS_TMP_DIR ?? os.tmpdir();

/**
 * Writes an upload to a temporary file: archives (.npz) and safetensors keep their arrays one
 * after another, and events need every array's row for the same token, so they are read back
 * with random access. Memory stays bounded; the caller removes the file.
 */
export async function spoolToFile(
  source: AsyncIterable<Uint8Array>,
  ext: string,
): Promise<{ file: string; size: number; remove: () => Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(spoolRoot(), `${SPOOL_PREFIX}${OWNER}-`));
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

/**
 * Spool folders of processes that are gone: a killed upload never ran its cleanup. Each folder
 * names the process that made it (atlas-upload-<pid>.<start>-…), so those of a live process
 * (another web process sharing the temp dir, mid-upload) are left alone. Run at server start.
 */
export async function removeSpoolLeftovers(): Promise<number> {
  const root = spoolRoot();
  let removed = 0;
  for (const name of await fs.promises.readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(SPOOL_PREFIX)) continue;
    const owner = /^atlas-upload-((\d+)\.\d+)-/.exec(name);
    if (owner?.[1] === OWNER) continue;
    const pid = Number(owner?.[2]);
    // Kept: another live process's (unless that pid is ours now, so its owner is gone). Removed:
    // a dead process's, and folders from before owners were in the name.
    if (pid && pid !== process.pid && isProcessAlive(pid)) continue;
    await fs.promises.rm(path.join(root, name), { recursive: true, force: true });
    removed++;
  }
  if (removed) console.log(`[atlas] removed ${removed} spool folder(s) left in ${root} by killed uploads`);
  return removed;
}
