import type { RunView } from "@/lib/query/api-types";

type Warning = NonNullable<RunView["warnings"]>[number];

/** Non-fatal oddities found while ingesting, per upload. */
export function RunWarnings({ warnings }: { warnings: Warning[] }) {
  if (!warnings.length) return null;
  return (
    <section
      aria-label="warnings"
      className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950"
    >
      <h2 className="font-semibold text-amber-900 dark:text-amber-200">Warnings</h2>
      <ul className="list-disc pl-5" data-testid="run-warnings">
        {warnings.map((w) => (
          <li key={`${w.uploadId}-${w.code}`} data-warning={w.code}>
            {w.message}
            <span className="text-xs text-zinc-500">
              {" "}
              ({w.fileName ?? `upload ${w.uploadId}`}
              {w.where ? `, first at ${w.where}` : ""})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
