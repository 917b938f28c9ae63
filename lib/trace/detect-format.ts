import { invalid } from "@/lib/errors";

export const TRACE_FORMATS = ["jsonl", "npy", "npz", "safetensors", "aggregate"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Bytes needed to recognise every format. */
export const SNIFF_BYTES = 4096;

/** Recognises a trace from its first bytes (PRODUCT.md §3). */
export function detectFormat(head: Uint8Array): TraceFormat {
  if (head.length === 0) throw invalid("empty_trace", "the upload is empty", "byte 0");
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "npy"; // \x93NUMPY
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "npz"; // zip
  if (head.length >= 9 && head[8] === 0x7b) {
    // safetensors: u64 little-endian header length, then the JSON header.
    const len = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
    if (len > 1 && len < 100_000_000) return "safetensors";
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head);
  const first = text.trimStart()[0];
  if (first === "{") {
    return /"format"\s*:\s*"moe-atlas\.aggregate\.v1"/.test(text) ? "aggregate" : "jsonl";
  }
  throw invalid(
    "unknown_format",
    `cannot recognise the trace format from its first bytes (${JSON.stringify(text.slice(0, 24))}); expected JSONL, .npy, .npz, safetensors or moe-atlas.aggregate.v1 JSON, or pass format=`,
    "byte 0",
  );
}

export function parseFormat(value: string | null | undefined): TraceFormat | undefined {
  if (value === null || value === undefined || value === "" || value === "auto") return undefined;
  if ((TRACE_FORMATS as readonly string[]).includes(value)) return value as TraceFormat;
  throw invalid(
    "unknown_format",
    `unknown format "${value}"; one of ${TRACE_FORMATS.join(", ")} or auto`,
    "query parameter format",
  );
}

function startsWith(b: Uint8Array, sig: number[]) {
  return b.length >= sig.length && sig.every((x, i) => b[i] === x);
}
