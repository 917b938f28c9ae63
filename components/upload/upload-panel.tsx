"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { DefinitionNote } from "@/components/ui/definition-note";
import { TokenField } from "@/components/ui/token-field";
import { useApiToken } from "@/components/ui/use-api-token";
import { TRACE_FORMATS } from "@/lib/trace/detect-format";
import { WARMUP_DEFINITION } from "@/lib/trace/warmup";
import { uploadTrace, type UploadOutcome } from "./upload-trace";
import { UploadReport } from "./upload-report";
import { useServerProgress } from "./use-server-progress";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** V11: drag and drop or pick a trace file; shows upload progress, then the validation report. */
export function UploadPanel({ runId }: { runId: string }) {
  const router = useRouter();
  const { authHeader } = useApiToken();
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<UploadOutcome | null>(null);
  const [over, setOver] = useState(false);
  const [label, setLabel] = useState("");
  const [map, setMap] = useState("");
  const [format, setFormat] = useState("auto");
  const [excludeWarmup, setExcludeWarmup] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const server = useServerProgress(runId, key);

  async function start(f: File) {
    setOutcome(null);
    setProgress(0);
    const k = crypto.randomUUID();
    setKey(k);
    const q = new URLSearchParams({ filename: f.name, key: k });
    if (label) q.set("label", label);
    if (map) q.set("map", map);
    if (format !== "auto") q.set("format", format);
    if (excludeWarmup) q.set("exclude_warmup", "1");
    const result = await uploadTrace(`/api/runs/${runId}/traces?${q}`, f, authHeader, setProgress);
    setKey(null);
    setOutcome(result);
    setProgress(null);
    if (result.ok) router.refresh();
  }

  return (
    <section
      aria-label="upload a trace"
      id="upload"
      className="flex flex-col gap-3 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 className="font-semibold">Upload a trace</h2>
      <div
        className={`flex flex-col items-center justify-center gap-2 rounded border-2 border-dashed p-6 text-sm ${over ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950" : "border-zinc-300 dark:border-zinc-700"}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer.files[0];
          if (f) setFile(f);
        }}
      >
        <p>Drop a trace here — JSONL (per event or per token), .npy, .npz, safetensors or aggregate JSON — or</p>
        <input
          ref={fileRef}
          type="file"
          aria-label="trace file"
          accept=".jsonl,.ndjson,.json,.npy,.npz,.safetensors"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          className="text-sm"
        />
        {file ? (
          <p className="text-xs text-zinc-500">
            {file.name} · {(file.size / 1024).toFixed(1)} KiB
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-3">
        <label className="flex flex-col text-sm">
          Format
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value)}
            className={input}
            aria-label="trace format"
          >
            <option value="auto">detect from content</option>
            {TRACE_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Label for events without one
          <input value={label} onChange={(e) => setLabel(e.target.value)} className={input} placeholder="e.g. code" />
        </label>
        <label className="flex flex-col text-sm">
          Field map
          <input
            value={map}
            onChange={(e) => setMap(e.target.value)}
            className={input}
            placeholder="experts:topk_ids,weights:probs"
          />
        </label>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={excludeWarmup} onChange={(e) => setExcludeWarmup(e.target.checked)} />
        Leave out warm-up passes
        <DefinitionNote text={WARMUP_DEFINITION} />
      </label>
      <TokenField />
      <button
        type="button"
        disabled={!file || progress !== null}
        onClick={() => file && start(file)}
        className="self-start rounded bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
      >
        Upload
      </button>
      {progress !== null ? (
        <div className="flex items-center gap-2 text-sm">
          <progress max={1} value={progress} aria-label="upload progress" className="h-2 w-64" />
          <span className="num">
            {progress < 1 ? `${Math.round(progress * 100)}% sent` : "sent; finishing on the server…"}
          </span>
          {server ? (
            <span className="num text-zinc-500" data-testid="server-progress">
              · server: {(server.bytes / 1048576).toFixed(1)} MiB read, {server.events.toLocaleString()} events parsed
            </span>
          ) : null}
        </div>
      ) : null}
      {outcome ? <UploadReport outcome={outcome} /> : null}
    </section>
  );
}
