"use client";

import { useApiToken } from "./use-api-token";

/** Shown only when the server requires a token for writes. */
export function TokenField() {
  const { token, setToken, required } = useApiToken();
  if (!required) return null;
  return (
    <label className="flex flex-col text-sm">
      API token (this server requires one for writes; kept in this browser)
      <input
        type="password"
        value={token}
        onChange={(e) => setToken(e.target.value.trim())}
        aria-label="API token"
        className="rounded border border-zinc-300 px-2 py-1 font-mono dark:border-zinc-600 dark:bg-zinc-800"
        placeholder="mat_..."
      />
    </label>
  );
}
