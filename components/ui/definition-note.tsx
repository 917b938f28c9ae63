/** A "?" that reveals how a metric is defined, on hover and to screen readers. */
export function DefinitionNote({ text }: { text: string }) {
  return (
    <span
      className="ml-1 inline-flex h-4 w-4 cursor-help items-center justify-center rounded-full border border-zinc-400 text-[10px] text-zinc-500"
      title={text}
      aria-label={text}
      role="note"
    >
      ?
    </span>
  );
}
