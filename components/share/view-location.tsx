"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

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

/**
 * Where a view takes its state from: the URL on a live page, the share on /s/<id>. Views read
 * their state only through this hook, so the same component draws the live view and the snapshot;
 * `frozen` views ignore navigation (the picture is pinned).
 */
export function useViewLocation() {
  const snapshot = useContext(SnapshotContext);
  const pathname = usePathname();
  const search = useSearchParams();
  // history.replaceState: Next keeps usePathname/useSearchParams in step without a server round
  // trip, but in a transition. Until it catches up, the view shows the state it just set (a
  // ticked box stays ticked, a quick second change builds on the first, an arrow key's layer is
  // drawn in the key press's own render rather than after Next's router has re-rendered), as long
  // as the URL is still the one it set (back/forward or a link win). Path and query both.
  const [pending, setPending] = useState<{ pathname: string; search: string } | null>(null);
  const replace = useCallback((href: string) => {
    window.history.replaceState(null, "", href);
    setPending({ pathname: window.location.pathname, search: window.location.search });
  }, []);
  if (snapshot)
    return {
      pathname: snapshot.pathname,
      search: new URLSearchParams(snapshot.search),
      frozen: true as const,
      snapshot,
      replace: noop as (href: string) => void,
    };
  const live = search.toString();
  const ahead =
    pending !== null &&
    typeof window !== "undefined" &&
    window.location.pathname === pending.pathname &&
    window.location.search === pending.search &&
    (pending.pathname !== pathname || pending.search.replace(/^\?/, "") !== live);
  return {
    pathname: ahead ? pending.pathname : pathname,
    search: new URLSearchParams(ahead ? pending.search : live),
    frozen: false as const,
    snapshot: null,
    replace,
  };
}

/**
 * Renders a view from a share: a query cache holding exactly the pinned answers, never stale,
 * so the picture is the one that was shared whatever was uploaded since.
 */
export function SnapshotProvider({
  snapshot,
  pinned,
  children,
}: {
  snapshot: Snapshot;
  pinned: PinnedQuery[];
  children: ReactNode;
}) {
  const [client] = useState(() => {
    const c = new QueryClient({
      defaultOptions: { queries: { staleTime: Infinity, gcTime: Infinity, retry: false, refetchOnWindowFocus: false } },
    });
    for (const q of pinned) c.setQueryData(q.key, q.data);
    return c;
  });
  return (
    <QueryClientProvider client={client}>
      <SnapshotContext.Provider value={snapshot}>{children}</SnapshotContext.Provider>
    </QueryClientProvider>
  );
}
