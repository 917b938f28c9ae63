"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/query/api-fetch";

/** Polls how far the server got with the upload tagged `key` (bytes read, events parsed). */
export function useServerProgress(runId: string, key: string | null) {
  const { data } = useQuery({
    queryKey: ["upload-progress", runId, key],
    queryFn: () =>
      apiFetch<{ bytes: number; events: number; status: string }>(`/api/runs/${runId}/uploads/progress?key=${key}`),
    enabled: key !== null,
    refetchInterval: 500,
    retry: false,
    staleTime: 0,
  });
  return key ? (data ?? null) : null;
}
