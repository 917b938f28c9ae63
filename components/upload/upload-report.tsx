import { formatValue } from "@/components/viz/format";
import type { UploadOutcome } from "./upload-trace";

/** The validation report: what was counted and what looked odd, or what was wrong and where. */
export function UploadReport({ outcome }: { outcome: UploadOutcome }) {
  if (!outcome.ok) {
    return (
      <div
        role="alert"
        data-testid="upload-error"
        className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
      >
        <p className="font-semibold">
          Upload refused ({outcome.status} {outcome.code}); nothing was stored.
        </p>
        <p>{outcome.message}</p>
        {outcome.where ? <p className="font-mono text-xs">where: {outcome.where}</p> : null}
      </div>
    );
  }
  return (
    <div
      role="status"
      data-testid="upload-report"
      className="rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
    >
      <p className="font-semibold">
        Ingested {formatValue(outcome.events)} events ({formatValue(outcome.tokens)} tokens per layer at most), format{" "}
        {outcome.format}
        {outcome.labels.length ? `, labels ${outcome.labels.join(", ")}` : ""}.
      </p>
      {outcome.warnings.length ? (
        <ul className="mt-1 list-disc pl-5 text-amber-800 dark:text-amber-300">
          {outcome.warnings.map((w) => (
            <li key={w.code} data-warning={w.code}>
              {w.message}
              {w.where ? <span className="text-xs"> (first at {w.where})</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>No warnings.</p>
      )}
      {outcome.warmup && outcome.warmup.runCount > 0 && !outcome.warmup.excluded ? (
        <p className="mt-1 text-amber-800 dark:text-amber-300" data-testid="warmup-hint">
          The warm-up passes were counted. To leave them out, delete this upload from the run&apos;s uploads and upload
          the file again with &ldquo;Leave out warm-up passes&rdquo; checked.
        </p>
      ) : null}
    </div>
  );
}
