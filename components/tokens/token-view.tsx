"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { TOKEN_SPECIALIZATION_DEFINITION } from "@/lib/analysis/token-stats";
import type { SequenceRoutes } from "@/lib/query/api-types";
import { layerTokensQuery, sequenceQuery, sequencesQuery, tokenSearchQuery } from "@/lib/query/token-queries";
import { parseTokenViewState, tokenViewHref, type TokenViewState } from "@/lib/url/token-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { makeColorScale } from "@/components/viz/color-scale";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { RoutePath } from "./route-path";
import { expertColor } from "./token-colors";
import { visibleToken } from "./token-text";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
type Token = SequenceRoutes["tokens"][number];

/** The token view (issue 15): a sequence's text coloured by routing, each token's route on hover or focus, token search, A13. */
export function TokenView({ runId, layers, experts }: { runId: string; layers: number; experts: number }) {
  const { search, frozen, replace } = useViewLocation();
  const state = parseTokenViewState(search);
  const layer = Math.min(state.layer, layers - 1);
  const set = (patch: Partial<TokenViewState>) =>
    replace(tokenViewHref(runId, { ...parseTokenViewState(new URLSearchParams(window.location.search)), ...patch }));
  const seqs = useQuery(sequencesQuery(runId));
  const seq = useQuery({ ...sequenceQuery(runId, state.seq), placeholderData: keepPreviousData, retry: false });
  const [active, setActive] = useState<number | null>(null);
  const [q, setQ] = useState(state.q);
  const tokens = useMemo(() => (seq.data?.seq === state.seq ? seq.data.tokens : []), [seq.data, state.seq]);
  // Gate weights of one expert span a small range (top-k of many experts): the scale runs to the largest shown.
  const weightScale = useMemo(() => {
    let max = 0;
    for (const t of tokens) {
      const step = t.route[layer];
      const j = step?.experts.indexOf(state.expert) ?? -1;
      if (j >= 0) max = Math.max(max, step.weights[j] ?? 0);
    }
    return makeColorScale([0, max || 1], "linear");
  }, [tokens, layer, state.expert]);
  if (seqs.data && seqs.data.sequences.length === 0)
    return (
      <p className="text-sm text-zinc-500" data-testid="no-token-ids">
        No upload of this run carried token ids (token_id per event), so there is no text to show. The expert pages and
        this view fill in once a trace with token ids is uploaded.
      </p>
    );

  /** Background and readable text colour of a token. */
  const styleOf = (t: Token) => {
    const bg = colorOf(t);
    if (!bg) return { background: "transparent" };
    if (state.color === "top1") return { background: bg, color: "#000" };
    const step = t.route[layer];
    const w = step.weights[step.experts.indexOf(state.expert)] ?? 0;
    return { background: bg, color: weightScale.t(w) < 0.55 ? "#fff" : "#000" };
  };
  const colorOf = (t: Token) => {
    const step = t.route[layer];
    if (state.color === "top1") return step?.experts.length ? expertColor(step.experts[0], 78) : undefined;
    const j = step?.experts.indexOf(state.expert) ?? -1;
    if (j < 0) return undefined;
    return weightScale.css(step.weights[j] ?? 1);
  };
  const shown = tokens.find((t) => t.pos === active) ?? null;

  return (
    <div className="flex flex-col gap-4 text-sm">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4">
        <label className="flex flex-col">
          Sequence
          <select
            aria-label="sequence"
            className={input}
            value={state.seq}
            onChange={(e) => set({ seq: Number(e.target.value) })}
          >
            {(seqs.data?.sequences ?? [{ seq: state.seq, length: 0 }]).map((s) => (
              <option key={s.seq} value={s.seq}>
                {s.seq} ({s.length} positions)
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Colour by
          <select
            aria-label="colour by"
            className={input}
            value={state.color}
            onChange={(e) => set({ color: e.target.value as TokenViewState["color"] })}
          >
            <option value="top1">top-1 expert at the layer</option>
            <option value="weight">one expert&apos;s gate weight</option>
          </select>
        </label>
        {state.color === "weight" ? (
          <label className="flex flex-col">
            Expert
            <select
              aria-label="expert"
              className={input}
              value={state.expert}
              onChange={(e) => set({ expert: Number(e.target.value) })}
            >
              {Array.from({ length: experts }, (_, e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={layer}
            aria-label="layer"
            onChange={(e) => set({ layer: Number(e.target.value) })}
            className="w-48 accent-indigo-600"
          />
        </label>
      </fieldset>
      {seq.error ? (
        <p role="alert" className="text-red-600">
          {seq.error.message}
        </p>
      ) : null}
      <div className="flex flex-wrap items-start gap-6">
        <Exportable
          name={`sequence ${state.seq} routes`}
          className="max-w-3xl"
          csv={() =>
            toCsv(
              ["pos", "token_id", "text", "layer", "experts", "weights"],
              tokens.flatMap((t) =>
                t.route.map((r, l) => [
                  t.pos,
                  t.tokenId,
                  t.text,
                  l,
                  r.experts.join(" "),
                  r.weights.map((w) => w ?? "").join(" "),
                ]),
              ),
            )
          }
          json={() => seq.data}
        >
          <p
            className="rounded border border-zinc-200 p-3 font-mono leading-7 whitespace-pre-wrap dark:border-zinc-700"
            data-testid="sequence-text"
            aria-label={`sequence ${state.seq}: hover or focus a token for its route`}
          >
            {seq.isLoading ? "Loading the sequence's routes…" : null}
            {tokens.map((t) => (
              <span
                key={t.pos}
                tabIndex={0}
                role="button"
                aria-label={`position ${t.pos} ${visibleToken(t.text, t.tokenId)}`}
                data-pos={t.pos}
                onMouseEnter={() => setActive(t.pos)}
                onFocus={() => setActive(t.pos)}
                className={`cursor-default rounded-sm outline-offset-1 focus:outline-2 focus:outline-indigo-600 ${active === t.pos ? "ring-2 ring-indigo-600" : ""}`}
                style={styleOf(t)}
              >
                {t.text === null ? `#${t.tokenId ?? "?"} ` : t.text.replace(/\n/g, "↵\n")}
              </span>
            ))}
          </p>
        </Exportable>
        <div className="flex flex-col gap-2" data-testid="route-panel">
          <h2 className="font-semibold">
            {shown
              ? `Route of “${visibleToken(shown.text, shown.tokenId)}” (position ${shown.pos})`
              : "Hover or focus a token for its route"}
          </h2>
          {shown ? (
            <RoutePath
              route={shown.route}
              experts={experts}
              label={`route of position ${shown.pos} through ${layers} layers`}
            />
          ) : null}
          <p className="text-xs text-zinc-500">
            {state.color === "top1"
              ? `Colour: the token's top-1 expert at layer ${layer} (one hue per expert id; uncoloured without an event at the layer).`
              : `Colour: expert ${state.expert}'s gate weight at layer ${layer} (viridis from 0 to ${formatValue(weightScale.domain[1])}, the largest in this sequence); uncoloured where it is not in the top-k.`}
          </p>
        </div>
      </div>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q });
        }}
      >
        <label className="flex flex-col">
          Search a token (text, or #id)
          <input
            aria-label="token search"
            className={`${input} w-56`}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            disabled={frozen}
          />
        </label>
        <button type="submit" className={input} disabled={frozen}>
          Search
        </button>
      </form>
      {state.q ? <TokenSearchResult runId={runId} q={state.q} experts={experts} /> : null}
      <LayerSpecialization runId={runId} layer={layer} />
    </div>
  );
}

function TokenSearchResult({ runId, q, experts }: { runId: string; q: string; experts: number }) {
  const { data, error } = useQuery(tokenSearchQuery(runId, q));
  if (error)
    return (
      <p role="alert" className="text-red-600">
        {error.message}
      </p>
    );
  if (!data) return <p>Searching…</p>;
  if (!data.matches.length) return <p data-testid="token-search">No token matches “{q}”.</p>;
  return (
    <section className="flex flex-col gap-4" data-testid="token-search">
      {data.matches.map((m) => (
        <Exportable
          key={m.tokenId}
          name={`token ${m.tokenId} per layer`}
          csv={() =>
            toCsv(
              ["layer", "count", "top_expert", "consistency", "expert", "expert_count", "share"],
              m.perLayer.flatMap((p) =>
                p.experts.map((x) => [p.layer, p.count, p.topExpert, p.consistency, x.expert, x.count, x.share]),
              ),
            )
          }
          json={() => m}
        >
          <div>
            <h3 className="font-semibold">
              “{visibleToken(m.text, m.tokenId)}” (#{m.tokenId}) per layer
              <DefinitionNote text="Each bar: the token's occurrences at the layer split by expert (share of its occurrences whose top-k holds the expert; the k shares sum to k). Consistency: its A13 specialization, the share of its occurrences whose top-k holds its most frequent expert." />
            </h3>
            <table className="[&_td]:pr-3">
              <thead>
                <tr className="text-left text-xs text-zinc-500">
                  <th className="pr-3">layer</th>
                  <th className="pr-3 text-right">occurrences</th>
                  <th className="pr-3">experts</th>
                  <th className="pr-3 text-right">top expert</th>
                  <th className="text-right">consistency</th>
                </tr>
              </thead>
              <tbody>
                {m.perLayer.map((p) => (
                  <tr key={p.layer}>
                    <td className="num">{p.layer}</td>
                    <td className="num text-right">{formatValue(p.count)}</td>
                    <td>
                      <span className="flex h-3 w-64 overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800">
                        {p.experts.map((x) => (
                          <span
                            key={x.expert}
                            title={`expert ${x.expert}: ${x.count} (${formatValue(x.share)})`}
                            style={{
                              width: `${
                                (x.share /
                                  Math.max(
                                    1,
                                    p.experts.reduce((s, y) => s + y.share, 0),
                                  )) *
                                100
                              }%`,
                              background: expertColor(x.expert),
                            }}
                          />
                        ))}
                      </span>
                    </td>
                    <td className="num text-right">{p.topExpert === null ? "—" : p.topExpert}</td>
                    <td className="num text-right">{formatValue(p.consistency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="text-xs text-zinc-500">{experts} experts; colours as in the text above.</p>
          </div>
        </Exportable>
      ))}
    </section>
  );
}

function LayerSpecialization({ runId, layer }: { runId: string; layer: number }) {
  const { data } = useQuery({ ...layerTokensQuery(runId, layer), placeholderData: keepPreviousData });
  if (!data || !data.hasTokenIds) return null;
  const experts = [...data.experts]
    .filter((e) => e.specialization !== null)
    .sort((a, b) => b.specialization! - a.specialization!);
  return (
    <section className="flex flex-col gap-2" data-testid="token-specialization">
      <h2 className="font-semibold">
        Token specialization at layer {layer} (A13): mean {formatValue(data.meanTokenSpecialization)}
        <DefinitionNote text={TOKEN_SPECIALIZATION_DEFINITION} />
      </h2>
      <p className="text-xs text-zinc-500">{TOKEN_SPECIALIZATION_DEFINITION}</p>
      <div className="flex flex-wrap gap-10">
        <Exportable
          name={`layer ${layer} token specialization per expert`}
          csv={() =>
            toCsv(
              ["expert", "load", "evtc", "specialization"],
              data.experts.map((e) => [e.expert, e.load, e.evtc, e.specialization]),
            )
          }
          json={() => data.experts}
        >
          <table className="[&_td]:pr-3">
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th className="pr-3">expert</th>
                <th className="pr-3 text-right">specialization</th>
                <th className="text-right">EVTC</th>
              </tr>
            </thead>
            <tbody>
              {experts.slice(0, 10).map((e) => (
                <tr key={e.expert}>
                  <td>
                    <Link
                      className="text-indigo-600 underline"
                      href={`/runs/${runId}/experts/${e.expert}?layer=${layer}`}
                    >
                      {e.expert}
                    </Link>
                  </td>
                  <td className="num text-right">{formatValue(e.specialization)}</td>
                  <td className="num text-right">{e.evtc}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Exportable>
        <Exportable
          name={`layer ${layer} frequent tokens`}
          csv={() =>
            toCsv(
              ["token_id", "text", "count", "top_expert", "specialization"],
              data.frequentTokens.map((t) => [t.tokenId, t.text, t.count, t.topExpert, t.specialization]),
            )
          }
          json={() => data.frequentTokens}
        >
          <table className="[&_td]:pr-3" data-testid="frequent-tokens">
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th className="pr-3">token</th>
                <th className="pr-3 text-right">count</th>
                <th className="pr-3 text-right">top expert</th>
                <th className="text-right">specialization</th>
              </tr>
            </thead>
            <tbody>
              {data.frequentTokens.slice(0, 12).map((t) => (
                <tr key={t.tokenId}>
                  <td className="font-mono">{visibleToken(t.text, t.tokenId)}</td>
                  <td className="num text-right">{formatValue(t.count)}</td>
                  <td className="num text-right">
                    <span
                      className="mr-1 inline-block h-2 w-2 rounded-full"
                      style={{ background: expertColor(t.topExpert) }}
                    />
                    {t.topExpert}
                  </td>
                  <td className="num text-right">{formatValue(t.specialization)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Exportable>
      </div>
    </section>
  );
}
