import type { WarmupReport } from "@/lib/trace/warmup";
import type { TraceWarning } from "@/lib/trace/warnings";

export interface UploadSuccess {
  ok: true;
  uploadId: string;
  events: number;
  tokens: number;
  format: string;
  labels: string[];
  warnings: TraceWarning[];
  warmup: WarmupReport | null;
}
export interface UploadFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
  where?: string;
}
export type UploadOutcome = UploadSuccess | UploadFailure;

/** POSTs the file as the raw body; XHR because fetch reports no upload progress. */
export function uploadTrace(
  url: string,
  file: File,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve({ ok: true, ...(body as Omit<UploadSuccess, "ok">) });
      else {
        const err = (body?.error ?? {}) as { code?: string; message?: string; where?: string };
        resolve({
          ok: false,
          status: xhr.status,
          code: err.code ?? "http_error",
          message: err.message ?? `HTTP ${xhr.status}`,
          where: err.where,
        });
      }
    };
    xhr.onerror = () =>
      resolve({ ok: false, status: 0, code: "network_error", message: "the upload was interrupted (network error)" });
    xhr.send(file);
  });
}
