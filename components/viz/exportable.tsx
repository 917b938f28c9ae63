"use client";

import { useRef, useState, type ReactNode } from "react";
import { download, fileSlug, svgDocument, svgToPng, toCsv, type Cell } from "./export";

interface Props {
  /** What the figure shows; names the files (e.g. "co-activation layer 3 lift"). */
  name: string;
  children: ReactNode;
  /** A vector version when the figure is not an <svg> (the canvas heatmap). */
  svg?: () => { text: string; width: number; height: number };
  csv?: () => string;
  json?: () => unknown;
  /** Serializable alternatives for server components (which cannot pass functions): the table behind the figure, and its JSON. */
  table?: { columns: string[]; rows: Cell[][] };
  data?: unknown;
  className?: string;
}

const button =
  "rounded border border-zinc-300 px-1.5 py-0.5 text-[10px] uppercase tracking-wide text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800";

/**
 * A chart or table with its exports: SVG and PNG of the figure (its first <svg>, or `svg`), CSV
 * and JSON of the numbers behind it.
 */
export function Exportable({ name, children, svg, csv: csvFn, json: jsonFn, table, data, className }: Props) {
  const csv = csvFn ?? (table ? () => toCsv(table.columns, table.rows) : undefined);
  const json = jsonFn ?? (data !== undefined ? () => data : undefined);
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const slug = fileSlug(name);
  const vector = () => {
    if (svg) return svg();
    const el = ref.current?.querySelector("svg");
    if (!el) return null;
    return { text: svgDocument(el), width: el.width.baseVal.value, height: el.height.baseVal.value };
  };
  const run = async (f: () => Promise<void> | void) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const background = () => getComputedStyle(document.body).backgroundColor || "#ffffff";
  return (
    <div ref={ref} className={`relative ${className ?? ""}`} data-export={slug}>
      {children}
      <div className="mt-1 flex flex-wrap items-center gap-1" role="group" aria-label={`export ${name}`}>
        <button
          type="button"
          className={button}
          aria-label={`export ${name} as SVG`}
          onClick={() =>
            run(() => {
              const v = vector();
              if (v) download(`${slug}.svg`, v.text, "image/svg+xml");
            })
          }
        >
          svg
        </button>
        <button
          type="button"
          className={button}
          aria-label={`export ${name} as PNG`}
          onClick={() =>
            run(async () => {
              const canvas = svg ? null : ref.current?.querySelector("canvas");
              if (canvas)
                return download(
                  `${slug}.png`,
                  await new Promise<Blob>((res, rej) =>
                    canvas.toBlob((b) => (b ? res(b) : rej(new Error("PNG encoding failed")))),
                  ),
                );
              const v = vector();
              if (v) download(`${slug}.png`, await svgToPng(v.text, v.width, v.height, background()));
            })
          }
        >
          png
        </button>
        {csv ? (
          <button
            type="button"
            className={button}
            aria-label={`export ${name} as CSV`}
            onClick={() => run(() => download(`${slug}.csv`, csv(), "text/csv"))}
          >
            csv
          </button>
        ) : null}
        {json ? (
          <button
            type="button"
            className={button}
            aria-label={`export ${name} as JSON`}
            onClick={() => run(() => download(`${slug}.json`, JSON.stringify(json(), null, 1), "application/json"))}
          >
            json
          </button>
        ) : null}
        {error ? (
          <span role="alert" className="text-xs text-red-600">
            {error}
          </span>
        ) : null}
      </div>
    </div>
  );
}
