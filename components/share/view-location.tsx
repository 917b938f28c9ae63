"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import { createContext, useContext, useState, type ReactNode } from "react";

export interface PinnedQuery {
  key: readonly unknown[];
  data: unknown;
}

interface Snapshot {
  shareId: string;
  /** The view the snapshot was taken of: its path and query string. */
  pathname: string;
  search: string;
  createdAt: string;
}

const SnapshotContext = createContext<Snapshot | null>(null);

// Module-level so their identity is stable across renders (they sit in effect dependencies).
const noop = () => {};
/** history.replaceState: Next keeps usePathname/useSearchParams in step without a server round trip. */
const replaceUrl = (href: string) => window.history.replaceState(null, "", href);

/**
 * Where a view takes its state from: the URL on a live page, the share on /s/<id>. Views read
 * their state only through this hook, so the same component draws the live view and the snapshot;
 * `frozen` views ignore navigation (the picture is pinned).
 */
export function useViewLocation() {
  const snapshot = useContext(SnapshotContext);
  const pathname = usePathname();
  const search = useSearchParams();
  if (snapshot) return { pathname: snapshot.pathname, search: new URLSearchParams(snapshot.search), frozen: true as const, snapshot, replace: noop as (href: string) => void };
  return {
    pathname,
    search: new URLSearchParams(search.toString()),
    frozen: false as const,
    snapshot: null,
    replace: replaceUrl,
  };
}

/**
 * Renders a view from a share: a query cache holding exactly the pinned answers, never stale,
 * so the picture is the one that was shared whatever was uploaded since.
 */
export function SnapshotProvider({ snapshot, pinned, children }: { snapshot: Snapshot; pinned: PinnedQuery[]; children: ReactNode }) {
  const [client] = useState(() => {
    const c = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, gcTime: Infinity, retry: false, refetchOnWindowFocus: false } } });
    for (const q of pinned) c.setQueryData(q.key, q.data);
    return c;
  });
  return (
    <QueryClientProvider client={client}>
      <SnapshotContext.Provider value={snapshot}>{children}</SnapshotContext.Provider>
    </QueryClientProvider>
  );
}
