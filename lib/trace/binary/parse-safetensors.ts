import fs from "node:fs";
import { invalid } from "@/lib/errors";
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
export async function* parseSafetensors(
  source: AsyncIterable<Uint8Array>,
  ctx: ParseContext,
): AsyncGenerator<EventBatch> {
  const spooled = await spoolToFile(source, ".safetensors");
  const fh = await fs.promises.open(spooled.file, "r");
  try {
    const lenBuf = new Uint8Array(8);
    await fh.read(lenBuf, 0, 8, 0);
    const headerLen = Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
    if (spooled.size < 8 || headerLen > MAX_HEADER || 8 + headerLen > spooled.size) {
      throw invalid(
        "truncated",
        `the safetensors header claims ${headerLen} bytes but the file has ${spooled.size}`,
        "safetensors header",
      );
    }
    const headerBytes = new Uint8Array(headerLen);
    await fh.read(headerBytes, 0, headerLen, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (e) {
      throw invalid(
        "malformed_json",
        `the safetensors header is not valid JSON: ${(e as Error).message}`,
        "safetensors header",
      );
    }
    const base = 8 + headerLen;
    const arrays = new Map<string, TensorSource>();
    const ranges: { name: string; begin: number; end: number }[] = [];
    let labelNames: string[] | null = null;
    for (const [name, v] of Object.entries(header)) {
      if (name === "__metadata__") {
        labelNames = readLabelNames((v as Record<string, unknown> | null)?.label_names);
        continue;
      }
      const where = `tensor ${name} (safetensors)`;
      const t = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
      const dtype = safetensorsDType(String(t.dtype));
      if (typeof dtype === "string") throw invalid("wrong_dtype", dtype, where);
      if (!Array.isArray(t.shape) || !Array.isArray(t.data_offsets))
        throw invalid("malformed_header", "needs shape and data_offsets", where);
      const [begin, end] = t.data_offsets;
      if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin) {
        throw invalid(
          "malformed_header",
          `data_offsets must be two byte offsets [begin, end] with begin <= end, got ${JSON.stringify(t.data_offsets)}`,
          where,
        );
      }
      ranges.push({ name, begin, end });
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== numel * dtype.bytes)
        throw invalid(
          "shape_mismatch",
          `shape [${t.shape}] of ${dtype.name} needs ${numel * dtype.bytes} bytes, data_offsets give ${end - begin}`,
          where,
        );
      if (base + end > spooled.size)
        throw invalid(
          "truncated",
          `data ends at byte ${base + end} but the file has ${spooled.size}; a truncated file?`,
          where,
        );
      arrays.set(name, {
        dtype,
        shape: t.shape,
        reader: new FileRangeReader(fh, base + begin, base + end, where),
        where,
      });
    }
    checkLayout(ranges, spooled.size - base);
    yield* tensorEvents(arrays, labelNames, ctx);
  } finally {
    await fh.close();
    await spooled.remove();
  }
}

const LABEL_NAMES = "safetensors header, __metadata__.label_names";

/** safetensors metadata values are strings: a JSON array of names in a string, or names separated by commas. */
function readLabelNames(v: unknown): string[] | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") {
    throw invalid(
      "invalid_field",
      `label_names must be a string (safetensors metadata values are strings): a JSON array of names inside a string, or names separated by commas; got ${Array.isArray(v) ? "a list" : typeof v}`,
      LABEL_NAMES,
    );
  }
  let names: string[] | null = null;
  try {
    const parsed = JSON.parse(v);
    if (Array.isArray(parsed)) names = parsed.map(String);
  } catch {
    // not JSON: comma-separated names
  }
  names ??= v.split(",").map((s) => s.trim());
  names.forEach((n, i) => {
    if (n.includes("\u0000"))
      throw invalid(
        "nul_character",
        `label name ${i} contains a NUL character (U+0000), which cannot be stored`,
        LABEL_NAMES,
      );
  });
  return names;
}

/**
 * The format's rule: tensors tile the data buffer exactly, with no overlap and no hole. Two tensors
 * sharing bytes, or bytes belonging to none, mean a damaged or hand-edited file.
 */
function checkLayout(ranges: { name: string; begin: number; end: number }[], dataBytes: number) {
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const r of sorted) {
    if (r.begin < at)
      throw invalid(
        "overlapping_tensors",
        `tensor ${r.name} starts at data byte ${r.begin}, inside the tensor before it (which ends at ${at})`,
        `tensor ${r.name} (safetensors)`,
      );
    if (r.begin > at)
      throw invalid(
        "tensor_gap",
        `data bytes ${at} to ${r.begin} belong to no tensor (the next is ${r.name}); safetensors data has no holes`,
        `tensor ${r.name} (safetensors)`,
      );
    at = r.end;
  }
  if (at !== dataBytes)
    throw invalid(
      "tensor_gap",
      `the data holds ${dataBytes} bytes but the tensors cover ${at}; safetensors data has no holes`,
      "safetensors data",
    );
}
