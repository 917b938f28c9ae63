"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { EVTC_DEFINITION, LIFT_DEFINITION } from "@/lib/analysis/token-stats";
import type { ExpertTokens } from "@/lib/query/api-types";
import { expertTokensQuery } from "@/lib/query/token-queries";
import { DefinitionNote } from "@/components/ui/definition-note";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { ContextLine, visibleToken } from "./token-text";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

type Ranked = ExpertTokens["tokens"];
type Examples = ExpertTokens["examples"];

/** The expert page's token panel (issue 15): top tokens by count or lift, example contexts, the same per label, EVTC. */
export function ExpertTokensPanel({
  runId,
  expert,
  layer,
  by,
  frozen,
  onBy,
}: {
  runId: string;
  expert: number;
  layer: number;
  by: "count" | "lift";
  frozen: boolean;
  onBy: (by: "count" | "lift") => void;
}) {
  const { data, error } = useQuery({
    ...expertTokensQuery(runId, expert, layer, by),
    placeholderData: keepPreviousData,
  });
  if (error)
    return (
      <p role="alert" className="text-red-600">
        {error.message}
      </p>
    );
  if (!data) return <p>Loading tokens…</p>;
  if (!data.hasTokenIds)
    return (
      <section aria-label="tokens" className="text-sm text-zinc-500" data-testid="expert-tokens">
        <h2 className="mb-1 font-semibold text-zinc-900 dark:text-zinc-100">Tokens</h2>
        This run&apos;s traces carry no token ids (token_id per event), so there are no token statistics.
      </section>
    );
  const name = `expert ${expert} layer ${layer} tokens by ${by}`;
  return (
    <section aria-label="tokens" className="flex flex-col gap-4 text-sm" data-testid="expert-tokens">
      <div className="flex flex-wrap items-end gap-4">
        <h2 className="font-semibold">
          What expert {expert} takes at layer {layer}
          <DefinitionNote text={`${LIFT_DEFINITION} Minimum support here: ${data.minSupport}.`} />
        </h2>
        <label className="flex items-center gap-2">
          rank by
          <select
            aria-label="rank tokens by"
            className={input}
            value={by}
            disabled={frozen}
            onChange={(e) => onBy(e.target.value as "count" | "lift")}
          >
            <option value="count">count</option>
            <option value="lift">lift (count ≥ {data.minSupport})</option>
          </select>
        </label>
        <span className="text-xs text-zinc-500" data-testid="evtc">
          EVTC {data.coverage.evtc} of {data.coverage.layerVocabulary} token ids at the layer (
          {formatValue(data.coverage.share)})
          <DefinitionNote text={EVTC_DEFINITION} />
        </span>
        <span className="text-xs text-zinc-500">
          {data.vocabulary === null
            ? "no vocabulary: token ids shown as #id (PUT /api/runs/{id}/vocabulary)"
            : `texts from the ${data.vocabulary === "uploaded" ? "uploaded vocabulary" : "trace's token_str"}`}
        </span>
        <Link
          className="text-xs text-indigo-600 underline"
          href={`/runs/${runId}/tokens?layer=${layer}&color=weight&expert=${expert}`}
        >
          token view coloured by its gate weight
        </Link>
      </div>
      <div className="flex flex-wrap items-start gap-10">
        <Exportable
          name={name}
          csv={() =>
            toCsv(
              ["layer", "expert", "token_id", "text", "count", "lift"],
              data.tokens.map((t) => [layer, expert, t.tokenId, t.text, t.count, t.lift]),
            )
          }
          json={() => data.tokens}
        >
          <TokenTable tokens={data.tokens} load={data.load} testId="top-tokens" />
        </Exportable>
        <Exportable
          name={`expert ${expert} layer ${layer} example contexts`}
          csv={() => examplesCsv(layer, expert, data.examples)}
          json={() => data.examples}
        >
          <ExampleList examples={data.examples} expert={expert} testId="token-examples" />
        </Exportable>
      </div>
      {data.perLabel.length ? (
        <details open className="flex flex-col gap-2" data-testid="tokens-per-label">
          <summary className="cursor-pointer font-semibold">Per label</summary>
          <div className="flex flex-wrap gap-8">
            {data.perLabel.map((p) => (
              <div key={p.label} className="flex max-w-[28rem] flex-col gap-2">
                <h3 className="font-medium">
                  {p.label} <span className="text-xs font-normal text-zinc-500">load {formatValue(p.load)}</span>
                </h3>
                <TokenTable tokens={p.tokens.slice(0, 8)} load={p.load} />
                <ExampleList examples={p.examples.slice(0, 4)} expert={expert} />
              </div>
            ))}
          </div>
        </details>
      ) : null}
    </section>
  );
}

function examplesCsv(layer: number, expert: number, examples: Examples) {
  return toCsv(
    ["layer", "expert", "seq", "pos", "token_id", "text", "gate_weight", "label", "context"],
    examples.map((x) => [
      layer,
      expert,
      x.seq,
      x.pos,
      x.tokenId,
      x.text,
      x.weight,
      x.label,
      x.context
        .map((c) => (c.pos === x.pos ? `[[${c.text ?? `#${c.tokenId}`}]]` : (c.text ?? `#${c.tokenId}`)))
        .join(""),
    ]),
  );
}

function TokenTable({ tokens, load, testId }: { tokens: Ranked; load: number; testId?: string }) {
  const max = Math.max(1, ...tokens.map((t) => t.count));
  return (
    <table className="[&_td]:pr-3" data-testid={testId}>
      <thead>
        <tr className="text-left text-xs text-zinc-500">
          <th className="pr-3">token</th>
          <th className="pr-3 text-right">count</th>
          <th className="pr-3 text-right">share</th>
          <th className="text-right">lift</th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.tokenId}>
            <td className="font-mono" title={`token #${t.tokenId}`}>
              {visibleToken(t.text, t.tokenId)}
            </td>
            <td className="num text-right">
              <span
                className="mr-1 inline-block h-2 bg-indigo-500 align-middle"
                style={{ width: `${(t.count / max) * 60}px` }}
              />
              {formatValue(t.count)}
            </td>
            <td className="num text-right">{formatValue(load ? t.count / load : null)}</td>
            <td className="num text-right">{formatValue(t.lift)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExampleList({ examples, expert, testId }: { examples: Examples; expert: number; testId?: string }) {
  return (
    <ol className="flex max-w-[40rem] flex-col gap-1" data-testid={testId}>
      {examples.map((x) => (
        <li key={`${x.seq}:${x.pos}`} className="flex gap-2">
          <span className="num w-20 shrink-0 text-xs text-zinc-500" title="sequence:position">
            {x.seq}:{x.pos}
          </span>
          <ContextLine context={x.context} pos={x.pos} weight={x.weight} expert={expert} />
        </li>
      ))}
      {examples.length === 0 ? <li className="text-zinc-500">no sampled occurrences</li> : null}
    </ol>
  );
}
