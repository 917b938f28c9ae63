import Link from "next/link";

/**
 * Expert ids that read as ids, not as counts or values: "#3 #5", each a link to that expert at
 * the layer, with the number of experts first ("2: #3 #5"), or "none".
 */
export function ExpertIds({
  runId,
  layer,
  experts,
  testId,
}: {
  runId: string;
  layer: number;
  experts: readonly number[];
  testId?: string;
}) {
  if (!experts.length) return <span data-testid={testId}>none</span>;
  return (
    <span data-testid={testId} className="inline-flex flex-wrap items-baseline justify-end gap-1">
      <span className="text-zinc-500">{experts.length}:</span>
      {experts.map((e) => (
        <Link
          key={e}
          href={`/runs/${runId}/experts/${e}?layer=${layer}`}
          aria-label={`expert ${e}`}
          title={`expert ${e}`}
          className="rounded bg-zinc-100 px-1 font-mono text-xs text-indigo-700 underline-offset-2 hover:underline dark:bg-zinc-800 dark:text-indigo-300"
        >
          #{e}
        </Link>
      ))}
    </span>
  );
}
