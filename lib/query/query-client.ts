import { QueryClient, isServer } from "@tanstack/react-query";

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Aggregates change only when an upload commits; a minute is fresh enough and avoids refetch storms.
      queries: { staleTime: 60_000 },
    },
  });
}

let browserClient: QueryClient | undefined;

/** A fresh client per server request, one singleton in the browser (TanStack's App Router pattern). */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  return (browserClient ??= makeQueryClient());
}
