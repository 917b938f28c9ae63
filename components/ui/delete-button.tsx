"use client";

import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { apiFetch } from "@/lib/query/api-fetch";
import { TokenField } from "./token-field";
import { useApiToken } from "./use-api-token";

/**
 * A delete that asks first: a modal dialog says what goes (`consequences`), then DELETE `endpoint`
 * (or each of several, one after another, stopping at the first refusal) with the API token; on success the `invalidate` query keys reload and `onDeleted` runs (navigate,
 * refresh the server-rendered page). A refusal (401, 403, 409) is shown in the dialog.
 */
export function DeleteButton({
  endpoint,
  what,
  consequences,
  invalidate,
  onDeleted,
  label = "Delete",
  small = false,
}: {
  endpoint: string | string[];
  what: string;
  consequences?: string;
  invalidate: QueryKey[];
  onDeleted?: () => void;
  label?: string;
  small?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const client = useQueryClient();
  const { authHeader } = useApiToken();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    const endpoints = [endpoint].flat();
    let done = 0;
    try {
      for (const e of endpoints) {
        await apiFetch(e, { method: "DELETE", headers: authHeader });
        done++;
      }
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
      dialog.current?.close();
      onDeleted?.();
    } catch (e) {
      const message = (e as Error).message;
      setError(endpoints.length > 1 ? `${done} of ${endpoints.length} deleted, then: ${message}` : message);
      if (done) onDeleted?.();
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
        aria-label={`Delete ${what}`}
        className={
          small
            ? "text-xs text-red-700 underline hover:text-red-900 dark:text-red-400"
            : "rounded border border-red-600 px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
        }
      >
        {label}
      </button>
      <dialog
        ref={dialog}
        aria-label={`confirm: delete ${what}`}
        className="m-auto max-w-lg rounded border border-zinc-300 bg-white p-4 text-sm text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <h2 className="mb-2 font-semibold">Delete {what}?</h2>
        {consequences ? <p className="mb-2">{consequences}</p> : null}
        <p className="mb-3 text-zinc-600 dark:text-zinc-400">This cannot be undone.</p>
        <TokenField />
        {error ? (
          <p role="alert" className="mb-2 text-red-600">
            {error}
          </p>
        ) : null}
        <div className="mt-2 flex justify-end gap-2">
          <button
            type="button"
            onClick={() => dialog.current?.close()}
            className="rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-600"
          >
            Cancel
          </button>
          <button
            type="button"
            onClick={confirm}
            disabled={busy}
            className="rounded bg-red-600 px-3 py-1.5 font-medium text-white hover:bg-red-700 disabled:opacity-50"
          >
            {busy ? "Deleting…" : `Delete ${what}`}
          </button>
        </div>
      </dialog>
    </>
  );
}
