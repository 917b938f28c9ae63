import { z } from "zod";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import type { RunWithModel } from "@/lib/db/queries/runs";
import type { Normalization } from "@/lib/analysis/coactivation";
import { layerFrameQuery, transitionsFrameQuery } from "@/lib/query/frame-queries";
import { placementQuery, planQuery, simulationQuery } from "@/lib/query/placement-queries";
import {
  compareManyQuery,
  compareQuery,
  expertQuery,
  expertsQuery,
  flowQuery,
  groupsQuery,
  layerQuery,
  transitionsQuery,
} from "@/lib/query/run-queries";
import { badRequest } from "@/lib/errors";
import { getManyComparison, requireComparedRuns } from "@/lib/runs/compare-many";
import { getComparison } from "@/lib/runs/compare-runs";
import { computePlacement, PLACEMENT_STRATEGIES } from "@/lib/runs/compute-placement";
import { computePlan } from "@/lib/runs/compute-plan";
import { getExpertView } from "@/lib/runs/get-expert-view";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { getFlowView } from "@/lib/runs/get-flow-view";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { getLayerFrame } from "@/lib/runs/get-layer-frame";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { getSeriesView } from "@/lib/runs/get-series-view";
import { seriesLayerQuery, seriesQuery } from "@/lib/query/series-queries";
import { getSeriesLayer } from "@/lib/runs/get-series-layer";
import { parseSeriesViewState, seriesViewStateSchema } from "@/lib/url/series-view-state";
import { requireRun } from "@/lib/runs/require-run";
import { runHasLogits, runSimulation } from "@/lib/runs/run-simulation";
import { getExpertTokens, getLayerTokens, getSequenceRoutes, getSequences, searchTokens } from "@/lib/runs/token-views";
import { DEFAULT_MIN_SUPPORT } from "@/lib/analysis/token-stats";
import {
  expertTokensQuery,
  layerTokensQuery,
  sequenceQuery,
  sequencesQuery,
  tokenSearchQuery,
} from "@/lib/query/token-queries";
import { parseTokenViewState, tokenViewStateSchema } from "@/lib/url/token-view-state";
import { compareManyViewStateSchema, parseCompareManyViewState } from "@/lib/url/compare-many-view-state";
import { compareViewStateSchema, parseCompareViewState } from "@/lib/url/compare-view-state";
import { expertViewStateSchema, parseExpertViewState } from "@/lib/url/expert-view-state";
import { flowViewStateSchema, parseFlowViewState } from "@/lib/url/flow-view-state";
import { graphViewStateSchema, parseGraphViewState } from "@/lib/url/graph-view-state";
import { EXPERT_TABLE_TOP_T, layerViewStateSchema, parseLayerViewState } from "@/lib/url/layer-view-state";
import {
  effectiveLabState,
  parsePlacementViewState,
  placementViewStateSchema,
  planBodies,
  simulationBody,
} from "@/lib/url/placement-view-state";
import { parseSpecializationViewState, specializationViewStateSchema } from "@/lib/url/specialization-view-state";
import { compilePathPattern, type PathPattern } from "@/lib/url/path-pattern";
import { decodeLayerFrame } from "@/lib/wire/layer-frame";

/** A frame's bytes as the ArrayBuffer the browser's fetch would hand to decodeLayerFrame. */
const bufferOf = (bytes: Uint8Array) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
/** The live explorer and graph read layers as frames (lib/wire): prefetched decoded, as the browser decodes them. */
const liveLayerFrame = (db: Db, run: RunWithModel, layer: number, norm: Normalization) => ({
  key: layerFrameQuery(run.id, layer, norm).queryKey,
  answer: async () => decodeLayerFrame(bufferOf(await getLayerFrame(db, run, layer, norm))),
});

/**
 * The shareable views, each described once: its path pattern, its state (the lib/url schema and
 * the parser its component uses, so the state pinned is the state drawn), and the queries it draws
 * from for a run and a state, each under the key its component asks for (the lib/query factories)
 * with how the server answers it. View recognition (lib/url/view-path.ts), share pinning
 * (lib/share/pin-view.ts), the `/s/[id]` page and the live pages' prefetching all read this list;
 * the component of each view is in components/views/view-components.tsx, keyed by `kind` (a
 * missing one is a type error). Server-only: answers come from the database.
 */

/** One answer a view draws, under the key its component asks for. */
export interface ViewQuery {
  key: readonly unknown[];
  answer: () => Promise<unknown>;
  /**
   * Whether the live page computes it before the first paint (default true). False for answers that
   * take long on big runs (placement searches on raw events, simulations, comparisons): the page
   * paints and the browser asks for them; a share still pins them.
   */
  prefetch?: boolean;
  /**
   * What the live page prefetches in its place, when the live view reads another transport than the
   * JSON a share pins: the binary frame decoded into typed arrays (lib/wire), under the frame query's
   * key. Not JSON round-tripped: React's server payload carries typed arrays as they are.
   */
  live?: { key: readonly unknown[]; answer: () => Promise<unknown> };
}

export interface ViewContext<P, S> {
  db: Db;
  run: RunWithModel;
  params: P;
  state: S;
  /** Who asks: the pinner of a share, the reader of a live page (other runs it names are checked against them). */
  viewer: Viewer;
  /**
   * Whose visibility lists of stored results in the answers follow: the reader on a live page; on a
   * share, a viewer who sees what every reader of the share may see (lib/share/pin-view.ts).
   */
  audience: Viewer;
}

export interface ViewAnswers {
  queries: ViewQuery[];
  /** Answers passed to the view's component as props rather than through the query cache (server-rendered views). */
  props?: Record<string, () => Promise<unknown>>;
  /** Other runs whose data the answers hold (a comparison's run B, C2R lists from another run). */
  otherRunIds?: () => Promise<string[]>;
}

export interface ViewDefinition<K extends string = string, P = unknown, S = unknown> {
  kind: K;
  /** "/runs/:runId/layers/:layer": each `:name` is one path segment, parsed by `params`. */
  path: string;
  params: z.ZodType<P>;
  /** The view state in the query string: its schema, and the parser its component reads it with. */
  state: { schema: z.ZodType; parse: (search: URLSearchParams) => S };
  /** The run the view is of; null when the path and state name none (then it is not shareable). */
  runId: (params: P, state: S) => string | null;
  /** Why this run cannot show these params (a layer or expert it does not have), or null. */
  check?: (run: RunWithModel, params: P) => { code: string; message: string } | null;
  /** Every answer the view draws for this run and state. */
  answers: (ctx: ViewContext<P, S>) => ViewAnswers;
}

/** Keeps each entry's params and state types together (the list itself is heterogeneous). */
export const defineView = <K extends string, P, S>(view: ViewDefinition<K, P, S>) => view;

/** A view recognized from a path: which one, for which run, its parsed params and the exact path and query string. */
export interface RecognizedView<K extends string = string> {
  kind: K;
  runId: string;
  params: Record<string, unknown>;
  pathname: string;
  search: string;
}

const runId = z.string().regex(/^[a-z0-9]{1,64}$/);
const index = z.string().regex(/^\d+$/).transform(Number);
const runParams = z.object({ runId });
const layerOf = (run: RunWithModel, layer: number) =>
  layer >= run.model.config.layers
    ? { code: "invalid_layer", message: `layer ${layer} is outside this run's ${run.model.config.layers} MoE layers` }
    : null;

export const VIEWS = [
  defineView({
    kind: "overview",
    path: "/runs/:runId",
    params: runParams,
    // The metric drawn is chosen on the page (also on a snapshot); the answers do not depend on it.
    state: {
      schema: z.object({ metric: z.string().optional() }),
      parse: (s) => ({ metric: s.get("metric") ?? undefined }),
    },
    runId: (p) => p.runId,
    answers: ({ db, run }) => ({ queries: [], props: { balance: () => getRunBalance(db, run) } }),
  }),
  defineView({
    kind: "layer",
    path: "/runs/:runId/layers/:layer",
    params: z.object({ runId, layer: index }),
    state: { schema: layerViewStateSchema, parse: parseLayerViewState },
    runId: (p) => p.runId,
    check: (run, p) => layerOf(run, p.layer),
    answers: ({ db, run, params: { layer }, state: { norm, order }, audience }) => ({
      queries: [
        {
          key: layerQuery(run.id, layer, norm).queryKey,
          answer: () => getLayerView(db, run, layer, norm),
          live: liveLayerFrame(db, run, layer, norm),
        },
        // The table of the layer's experts under the heatmap (same answer and key as the graph view's).
        {
          key: expertsQuery(run.id, layer, EXPERT_TABLE_TOP_T).queryKey,
          answer: () => getExpertsView(db, run, layer, EXPERT_TABLE_TOP_T),
        },
        // Ordered by group: the first paint is already in group order.
        ...(order === "group"
          ? [{ key: groupsQuery(run.id, layer).queryKey, answer: () => getLayerGroups(db, run, layer) }]
          : []),
        // A step of a series: the step scrubber's steps and the colour domain shared across them.
        ...(run.series !== null
          ? [
              {
                key: seriesLayerQuery(run.series, layer, norm).queryKey,
                answer: () => getSeriesLayer(db, run.series!, layer, norm, audience),
              },
            ]
          : []),
      ],
      otherRunIds: async () =>
        run.series !== null
          ? (await getSeriesLayer(db, run.series, layer, norm, audience)).steps.map((s) => s.runId)
          : [],
    }),
  }),
  defineView({
    kind: "placement",
    path: "/runs/:runId/placement",
    params: runParams,
    state: { schema: placementViewStateSchema, parse: parsePlacementViewState },
    runId: (p) => p.runId,
    answers: ({ db, run, state: raw, viewer }) => {
      const cfg = run.model.config;
      const state = effectiveLabState(raw, cfg.experts, cfg.layers);
      const body = simulationBody(state, cfg.layers, state.devices);
      const from = () =>
        body?.kind === "c2r" && body.collaboratorsFrom
          ? requireRun(db, body.collaboratorsFrom, viewer, "path (from)")
          : Promise.resolve(undefined);
      const queries: ViewQuery[] = PLACEMENT_STRATEGIES.map((s) => ({
        key: placementQuery(run.id, state.devices, s, state.maxImbalance).queryKey,
        answer: () => computePlacement(db, run, state.devices, s, s === "optimized" ? state.maxImbalance : undefined),
        prefetch: false,
      }));
      const plans = planBodies(state, cfg.experts);
      if (plans)
        for (const b of [plans.eplb, plans.optimized])
          queries.push({ key: planQuery(run.id, b).queryKey, answer: () => computePlan(db, run, b), prefetch: false });
      if (body) {
        queries.push({
          key: simulationQuery(run.id, body).queryKey,
          answer: async () =>
            runSimulation(
              db,
              run,
              body.kind === "c2r" ? { kind: "c2r", topT: body.topT, collaboratorsFrom: await from() } : body,
              state.devices,
            ),
          prefetch: false,
        });
      }
      return {
        queries,
        // Why Simulate is disabled, if it is: every simulation re-routes tokens from their stored logits.
        props: {
          noLogits: async () =>
            run.events === 0
              ? "this run holds aggregates only (no raw events, so no router logits)"
              : !(await runHasLogits(db, run.id))
                ? "this run's events carry no router logits (top-k ids only)"
                : undefined,
        },
        otherRunIds: async () => {
          const other = await from();
          return other ? [other.id] : [];
        },
      };
    },
  }),
  defineView({
    kind: "expert",
    path: "/runs/:runId/experts/:expert",
    params: z.object({ runId, expert: index }),
    state: { schema: expertViewStateSchema, parse: parseExpertViewState },
    runId: (p) => p.runId,
    check: (run, p) =>
      p.expert >= run.model.config.experts
        ? {
            code: "invalid_expert",
            message: `expert ${p.expert} is outside this run's ${run.model.config.experts} experts`,
          }
        : null,
    answers: ({ db, run, params: { expert }, state: { topT, layer: l, by }, audience }) => {
      const layer = Math.min(l, run.model.config.layers - 1);
      return {
        queries: [
          {
            key: expertQuery(run.id, expert, topT).queryKey,
            answer: () => getExpertView(db, run, expert, topT, audience),
          },
          {
            key: expertTokensQuery(run.id, expert, layer, by).queryKey,
            answer: () => getExpertTokens(db, run, expert, { layer, by, limit: 25, minSupport: DEFAULT_MIN_SUPPORT }),
          },
        ],
      };
    },
  }),
  defineView({
    kind: "tokens",
    path: "/runs/:runId/tokens",
    params: runParams,
    state: { schema: tokenViewStateSchema, parse: parseTokenViewState },
    runId: (p) => p.runId,
    answers: ({ db, run, state }) => {
      const layer = Math.min(state.layer, run.model.config.layers - 1);
      return {
        queries: [
          { key: sequencesQuery(run.id).queryKey, answer: () => getSequences(db, run, 200) },
          // Routes come from a scan of the raw events: the page paints first on a big run.
          {
            key: sequenceQuery(run.id, state.seq).queryKey,
            answer: () => getSequenceRoutes(db, run, state.seq, 0, 512),
            prefetch: false,
          },
          {
            key: layerTokensQuery(run.id, layer).queryKey,
            answer: () => getLayerTokens(db, run, layer, 25, DEFAULT_MIN_SUPPORT),
          },
          ...(state.q.trim()
            ? [{ key: tokenSearchQuery(run.id, state.q).queryKey, answer: () => searchTokens(db, run, state.q) }]
            : []),
        ],
      };
    },
  }),
  defineView({
    kind: "graph",
    path: "/runs/:runId/graph",
    params: runParams,
    state: { schema: graphViewStateSchema, parse: parseGraphViewState },
    runId: (p) => p.runId,
    answers: ({ db, run, state }) => {
      const layer = Math.min(state.layer, run.model.config.layers - 1);
      return {
        queries: [
          {
            key: layerQuery(run.id, layer, "lift").queryKey,
            answer: () => getLayerView(db, run, layer, "lift"),
            live: liveLayerFrame(db, run, layer, "lift"),
          },
          { key: expertsQuery(run.id, layer, 3).queryKey, answer: () => getExpertsView(db, run, layer, 3) },
          { key: groupsQuery(run.id, layer).queryKey, answer: () => getLayerGroups(db, run, layer) },
        ],
      };
    },
  }),
  defineView({
    kind: "flow",
    path: "/runs/:runId/flow",
    params: runParams,
    state: { schema: flowViewStateSchema, parse: parseFlowViewState },
    runId: (p) => p.runId,
    answers: ({ db, run, state }) => {
      const layer = Math.min(state.layer, Math.max(0, run.model.config.layers - 2));
      return {
        queries: [
          { key: flowQuery(run.id).queryKey, answer: () => getFlowView(db, run) },
          {
            key: transitionsQuery(run.id, layer).queryKey,
            answer: () => getLayerView(db, run, layer, undefined, { transitions: true }),
            live: {
              key: transitionsFrameQuery(run.id, layer).queryKey,
              answer: async () =>
                decodeLayerFrame(bufferOf(await getLayerFrame(db, run, layer, undefined, { transitions: true }))),
            },
          },
        ],
      };
    },
  }),
  defineView({
    kind: "specialization",
    path: "/runs/:runId/specialization",
    params: runParams,
    state: { schema: specializationViewStateSchema, parse: parseSpecializationViewState },
    runId: (p) => p.runId,
    answers: ({ db, run, state }) => {
      const layer = Math.min(state.layer, run.model.config.layers - 1);
      return {
        queries: [{ key: expertsQuery(run.id, layer, 3).queryKey, answer: () => getExpertsView(db, run, layer, 3) }],
      };
    },
  }),
  defineView({
    kind: "compare",
    path: "/compare",
    params: z.object({}),
    state: { schema: compareViewStateSchema, parse: parseCompareViewState },
    // Run A is the share's run; both must be named.
    runId: (_p, s) => (s.a && s.b ? s.a : null),
    answers: ({ db, run, state, viewer }) => {
      const b = () => requireRun(db, state.b!, viewer, "path (b)");
      return {
        queries: [
          {
            key: compareQuery(run.id, state.b!, state.layer, state.paired).queryKey,
            answer: async () => getComparison(db, run, await b(), { layer: state.layer, paired: state.paired }),
            prefetch: false,
          },
        ],
        otherRunIds: async () => [(await b()).id],
      };
    },
  }),
  defineView({
    kind: "compare-many",
    path: "/compare",
    params: z.object({}),
    state: { schema: compareManyViewStateSchema, parse: parseCompareManyViewState },
    // The base run is the share's run; every run is checked against the reader (otherRunIds).
    runId: (_p, s) => (s.runs.length ? s.base : null),
    answers: ({ db, run, state, viewer }) => {
      const others = async () => {
        const { runs } = await requireComparedRuns(db, state.runs, state.base, viewer);
        return runs;
      };
      return {
        queries: [
          {
            key: compareManyQuery(state.runs, state.base, state.paired).queryKey,
            answer: async () => {
              const runs = await others();
              return getManyComparison(db, runs, state.runs.indexOf(run.id), { paired: state.paired });
            },
            prefetch: false,
          },
          // The small multiples: one layer of every run (JSON pinned; the live view reads frames).
          ...state.runs.map((id) => ({
            key: layerQuery(id, state.layer, state.norm).queryKey,
            answer: async () => {
              const r = (await others()).find((x) => x.id === id)!;
              if (state.layer >= r.model.config.layers)
                throw badRequest(
                  "invalid_layer",
                  `layer ${state.layer} is outside [0, ${r.model.config.layers})`,
                  "layer",
                );
              return getLayerView(db, r, state.layer, state.norm);
            },
            prefetch: false,
          })),
        ],
        otherRunIds: async () => (await others()).map((r) => r.id).filter((id) => id !== run.id),
      };
    },
  }),
  defineView({
    kind: "series",
    path: "/series/:series",
    params: z.object({ series: z.string().min(1).max(200) }),
    state: { schema: seriesViewStateSchema, parse: parseSeriesViewState },
    // A series has no run of its own: the URL names one of its runs (the page puts the last step
    // there), which a share is anchored to; the share then needs read access to every step it shows.
    runId: (_p, s) => s.run ?? null,
    check: (run, p) =>
      run.series === p.series
        ? null
        : { code: "not_in_series", message: `run ${run.id} is not a step of series "${p.series}"` },
    answers: ({ db, params, state, audience }) => {
      const answer = () =>
        getSeriesView(db, params.series, audience, {
          placement: state.placement,
          devices: state.devices,
          topT: state.topT,
        });
      return {
        queries: [
          {
            key: seriesQuery(params.series, state.placement, state.devices, state.topT).queryKey,
            answer,
          },
        ],
        otherRunIds: async () => (await answer()).steps.map((s) => s.runId),
      };
    },
  }),
] as const;

export type ViewKind = (typeof VIEWS)[number]["kind"];

// The registry's entries with their params and state types erased, as the generic code handles them.
type AnyView = ViewDefinition<string, never, never>;

/** A registry over a list of views (the app's is `views`; a test builds one with a fake view added). */
export function viewRegistry<V extends readonly { kind: string }[]>(list: V) {
  const entries = list as unknown as readonly AnyView[];
  const kinds = new Set<string>();
  for (const v of entries) {
    if (kinds.has(v.kind)) throw new Error(`view "${v.kind}" is registered twice`);
    kinds.add(v.kind);
  }
  const patterns: [AnyView, PathPattern][] = entries.map((v) => [v, compilePathPattern(v.path)]);
  type Kind = V[number]["kind"];

  // `search` as written (URLSearchParams would re-encode it: "drop=1,2" becomes "drop=1%2C2").
  const fromParts = (
    view: AnyView,
    raw: Record<string, string>,
    pathname: string,
    search: string,
  ): RecognizedView | null => {
    const params = view.params.safeParse(raw);
    if (!params.success) return null;
    const id = (view.runId as (p: unknown, s: unknown) => string | null)(
      params.data,
      view.state.parse(new URLSearchParams(search)),
    );
    if (!id || !runId.safeParse(id).success) return null;
    return { kind: view.kind, runId: id, params: params.data as Record<string, unknown>, pathname, search };
  };

  const get = (kind: string): AnyView => {
    const v = entries.find((x) => x.kind === kind);
    if (!v) throw new Error(`no view "${kind}" in the registry`);
    return v;
  };

  return {
    list: entries,
    get,
    /** The view a path shows ("/runs/…?…", or a full URL of this app), or null when it is not a shareable view. */
    recognize(path: string): RecognizedView<Kind> | null {
      let url: URL;
      try {
        url = new URL(path, "http://atlas.invalid");
      } catch {
        return null;
      }
      const pathname = url.pathname.replace(/\/+$/, "") || "/";
      // Views may share a path and differ in their state (/compare?a=&b= and /compare?runs=): the
      // first whose path matches and whose state names a run.
      for (const [view, pattern] of patterns) {
        const raw = pattern.match(pathname);
        const hit = raw ? fromParts(view, raw, pathname, url.search) : null;
        if (hit) return hit as RecognizedView<Kind>;
      }
      return null;
    },
    /** A view from its page's route params and query string (a live page knows its kind); null when they do not name one. */
    fromRoute(kind: Kind, raw: Record<string, string>, search: URLSearchParams): RecognizedView<Kind> | null {
      const view = get(kind);
      const pathname = view.path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(raw[name] ?? ""));
      const q = search.toString();
      return fromParts(view, raw, pathname, q ? `?${q}` : "") as RecognizedView<Kind> | null;
    },
    /** The answers a recognized view draws for this run (as its entry declares them), and what is wrong with its params, if anything. */
    resolve(db: Db, run: RunWithModel, view: RecognizedView, who: { viewer: Viewer; audience: Viewer }) {
      const entry = get(view.kind) as unknown as ViewDefinition<string, unknown, unknown>;
      const problem = entry.check?.(run, view.params) ?? null;
      const state = entry.state.parse(new URLSearchParams(view.search));
      return { problem, answers: problem ? null : entry.answers({ db, run, params: view.params, state, ...who }) };
    },
  };
}

export const views = viewRegistry(VIEWS);
export type ViewRegistry = ReturnType<typeof viewRegistry>;
