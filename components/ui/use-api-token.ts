"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";
import { apiFetch } from "@/lib/query/api-fetch";

const KEY = "moe-atlas-token";
const listeners = new Set<() => void>();

/**
 * The API token for writes, kept in this browser's localStorage, and whether the server needs one
 * (it does once any token exists).
 */
export function useApiToken() {
  const token = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => window.localStorage.getItem(KEY) ?? "",
    () => "",
  );
  const setToken = useCallback((t: string) => {
    if (t) window.localStorage.setItem(KEY, t);
    else window.localStorage.removeItem(KEY);
    listeners.forEach((l) => l());
  }, []);
  const { data } = useQuery({
    queryKey: ["health"],
    queryFn: () => apiFetch<{ writeTokenRequired: boolean }>("/api/health"),
  });
  const authHeader: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return { token, setToken, required: data?.writeTokenRequired ?? false, authHeader };
}
