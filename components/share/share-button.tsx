"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "@/lib/query/api-fetch";
import { useApiToken } from "@/components/ui/use-api-token";

interface ShareAnswer {
  id: string;
  url: string;
  path: string;
  createdAt: string;
}

/**
 * Share: pins the view as it is now (its URL carries all of its state) and gives a /s/<id> link
 * that keeps showing this picture after more data is uploaded.
 */
export function ShareButton() {
  const { authHeader } = useApiToken();
  const [copied, setCopied] = useState(false);
  const share = useMutation({
    mutationFn: () =>
      apiFetch<ShareAnswer>("/api/shares", {
        method: "POST",
        headers: { "content-type": "application/json", ...authHeader },
        body: JSON.stringify({ path: window.location.pathname + window.location.search }),
      }),
    onSuccess: async (answer) => {
      try {
        await navigator.clipboard.writeText(answer.url);
        setCopied(true);
      } catch {
        // Clipboard needs a secure context or permission; the link is shown either way.
      }
    },
  });
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="share">
      <button
        type="button"
        onClick={() => share.mutate()}
        disabled={share.isPending}
        className="rounded border border-indigo-600 px-3 py-1 font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-50 dark:text-indigo-300 dark:hover:bg-indigo-950"
      >
        {share.isPending ? "Pinning…" : "Share snapshot"}
      </button>
      {share.data ? (
        <span role="status">
          <a href={share.data.url} className="font-mono text-indigo-600 underline" data-testid="share-url">
            {share.data.url}
          </a>
          {copied ? <span className="ml-2 text-zinc-500">copied</span> : null}
        </span>
      ) : null}
      {share.error ? (
        <span role="alert" className="text-red-600">
          {share.error.message}
        </span>
      ) : null}
    </div>
  );
}
