import fs from "node:fs";
import { badRequest } from "@/lib/api/api-error";
import type { EventBatch } from "../event-batch";
import type { ParseContext } from "../parse-context";
import { FileRangeReader } from "./byte-reader";
import { safetensorsDType } from "./dtype";
import { spoolToFile } from "./spool";
import { tensorEvents, type TensorSource } from "./tensor-events";

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * safetensors: u64 header length, a JSON header {name: {dtype, shape, data_offsets}} and the data.
 * label_names come from `__metadata__.label_names` (a JSON array or comma-separated names).
 */
export async function* parseSafetensors(source: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<EventBatch> {
  const spooled = await spoolToFile(source, ".safetensors");
  const fh = await fs.promises.open(spooled.file, "r");
  try {
    const lenBuf = new Uint8Array(8);
    await fh.read(lenBuf, 0, 8, 0);
    const headerLen = Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
    if (spooled.size < 8 || headerLen > MAX_HEADER || 8 + headerLen > spooled.size) {
      throw badRequest("truncated", `the safetensors header claims ${headerLen} bytes but the file has ${spooled.size}`, "safetensors header");
    }
    const headerBytes = new Uint8Array(headerLen);
    await fh.read(headerBytes, 0, headerLen, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (e) {
      throw badRequest("malformed_json", `the safetensors header is not valid JSON: ${(e as Error).message}`, "safetensors header");
    }
    const base = 8 + headerLen;
    const arrays = new Map<string, TensorSource>();
    let labelNames: string[] | null = null;
    for (const [name, v] of Object.entries(header)) {
      if (name === "__metadata__") {
        labelNames = readLabelNames((v as Record<string, string> | null)?.label_names);
        continue;
      }
      const where = `tensor ${name} (safetensors)`;
      const t = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
      const dtype = safetensorsDType(String(t.dtype));
      if (typeof dtype === "string") throw badRequest("wrong_dtype", dtype, where);
      if (!Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) throw badRequest("malformed_header", "needs shape and data_offsets", where);
      const [begin, end] = t.data_offsets;
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== numel * dtype.bytes) throw badRequest("shape_mismatch", `shape [${t.shape}] of ${dtype.name} needs ${numel * dtype.bytes} bytes, data_offsets give ${end - begin}`, where);
      if (base + end > spooled.size) throw badRequest("truncated", `data ends at byte ${base + end} but the file has ${spooled.size}; a truncated file?`, where);
      arrays.set(name, { dtype, shape: t.shape, reader: new FileRangeReader(fh, base + begin, base + end, where), where });
    }
    yield* tensorEvents(arrays, labelNames, ctx);
  } finally {
    await fh.close();
    await spooled.remove();
  }
}

function readLabelNames(v: string | undefined): string[] | null {
  if (!v) return null;
  try {
    const parsed = JSON.parse(v);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // not JSON: comma-separated names
  }
  return v.split(",").map((s) => s.trim());
}
