import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { RunView } from "@/lib/query/api-types";
import { getQueryClient } from "@/lib/query/query-client";
import type { PinnedView } from "@/lib/share/pin-view";
import type { ComputedQuery } from "@/lib/views/compute-view";
import type { RecognizedView } from "@/lib/views/registry";
import { SnapshotProvider } from "@/components/share/view-location";
import type { ViewComponent } from "./view-components";

interface LiveProps {
  component: ViewComponent;
  run: RunView;
  queries: ComputedQuery[];
  props: Record<string, unknown>;
  requestSearch: URLSearchParams;
  actions?: ReactNode;
  children?: ReactNode;
}

/** A view's live page: its header, and its body over a query cache holding what the page prefetched (the browser asks for the rest). */
export function LiveView({ component, run, queries, props, requestSearch, actions, children }: LiveProps) {
  const client = getQueryClient();
  for (const q of queries) client.setQueryData(q.key, q.data);
  const { header, body } = component({ run, props, requestSearch, actions, children });
  return (
    <div className="flex flex-col gap-4">
      {header}
      <HydrationBoundary state={dehydrate(client)}>{body}</HydrationBoundary>
    </div>
  );
}

/** A stored share as the registry reads it: the view its path names and what it pinned; null when the path is no view the registry knows. */
export function readShare<K extends string>(
  registry: { recognize(path: string): RecognizedView<K> | null },
  share: { path: string; snapshot: unknown },
): { view: RecognizedView<K>; pinned: PinnedView } | null {
  const view = registry.recognize(share.path);
  return view ? { view, pinned: share.snapshot as PinnedView } : null;
}

interface SnapshotProps {
  component: ViewComponent;
  share: { id: string; path: string; createdAt: Date };
  view: RecognizedView;
  pinned: PinnedView;
  /** The query string of /s/<id>: it may change only what the answers do not depend on (the overview's metric). */
  requestSearch: URLSearchParams;
}

/**
 * A share: the same header and body as the live view, the body over a query cache holding exactly
 * the pinned answers (nothing else, never stale: a query the view asks for that was not pinned
 * would be a live request, which the tests rule out), its state read from the pinned path.
 */
export function SnapshotView({ component, share, view, pinned, requestSearch }: SnapshotProps) {
  const createdAt = share.createdAt.toISOString();
  const search = new URLSearchParams(view.search);
  for (const [k, v] of requestSearch) search.set(k, v);
  const { header, body } = component({
    run: pinned.run,
    props: pinned.props ?? {},
    requestSearch: search,
    snapshot: { id: share.id, createdAt, path: share.path },
  });
  return (
    <div className="flex flex-col gap-4">
      {header}
      <SnapshotProvider
        snapshot={{ shareId: share.id, pathname: view.pathname, search: view.search, createdAt }}
        pinned={pinned.queries}
      >
        {body}
      </SnapshotProvider>
    </div>
  );
}
