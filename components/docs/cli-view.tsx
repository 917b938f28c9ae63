import { Fragment } from "react";
import type { CliUsage } from "./cli-usage";

/** The CLI page: the usage text's commands one per row, its notes, and the text verbatim. */
export function CliView({ usage, text }: { usage: CliUsage; text: string }) {
  return (
    <div className="flex flex-col gap-6" data-testid="cli-docs">
      <header className="flex flex-col gap-2">
        <h1 className="text-2xl font-bold">Command line: moe-atlas</h1>
        <p className="max-w-4xl text-sm">{usage.title}.</p>
        <p className="max-w-4xl text-sm text-zinc-600 dark:text-zinc-400">
          Run it from a checkout with <code className="font-mono">npx moe-atlas &lt;command&gt;</code> (or{" "}
          <code className="font-mono">node bin/moe-atlas.mjs</code>): plain Node, no build step. It talks to a server
          over the{" "}
          <a className="text-indigo-600 underline" href="/docs/api">
            HTTP API
          </a>{" "}
          only. This page is drawn from the same usage text <code className="font-mono">moe-atlas --help</code> prints.
        </p>
      </header>
      <table className="text-sm [&_td]:px-2 [&_td]:py-1 [&_td]:align-top [&_th]:px-2" data-testid="cli-commands">
        <thead>
          <tr className="text-left text-xs text-zinc-500">
            <th>command</th>
            <th>usage</th>
            <th>what it does</th>
            <th>options</th>
          </tr>
        </thead>
        <tbody>
          {usage.commands.map((c) => (
            <tr key={c.id} id={c.id} data-command={c.name} className="border-t border-zinc-200 dark:border-zinc-800">
              <th scope="row" className="whitespace-nowrap text-left font-mono font-semibold">
                {c.name}
              </th>
              <td>
                {/* Lines break between words only, never inside "--format". */}
                <code className="font-mono text-xs">
                  {c.synopsis.split(" ").map((w, i) => (
                    <Fragment key={i}>
                      {i ? " " : ""}
                      <span className="whitespace-nowrap">{w}</span>
                    </Fragment>
                  ))}
                </code>
              </td>
              <td>{c.description || "—"}</td>
              <td className="font-mono text-xs">
                {c.options.length
                  ? c.options.map((o, i) => (
                      <Fragment key={o}>
                        {i ? " " : ""}
                        <span className="whitespace-nowrap">{o}</span>
                      </Fragment>
                    ))
                  : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {usage.notes.length ? (
        <section aria-label="notes" className="flex flex-col gap-1 text-sm">
          <h2 className="font-semibold">Server, token and files</h2>
          {usage.notes.map((n, i) => (
            <p key={i}>{n}</p>
          ))}
        </section>
      ) : null}
      <section aria-label="moe-atlas --help" className="flex flex-col gap-1">
        <h2 className="font-semibold">
          <code className="font-mono">moe-atlas --help</code>
        </h2>
        <pre className="overflow-x-auto rounded bg-zinc-100 p-3 text-xs dark:bg-zinc-900" data-testid="cli-help">
          {text}
        </pre>
      </section>
    </div>
  );
}
