"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/query/api-fetch";

/**
 * Browser sign-in with an API token (kept in an httpOnly cookie): needed to see private runs once
 * the server has tokens. Shown only when it does.
 */
export function SessionMenu({ open, tokenName }: { open: boolean; tokenName: string | null }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (open) return null;
  const send = async (method: "POST" | "DELETE") => {
    setError(null);
    try {
      await apiFetch("/api/session", {
        method,
        headers: { "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify({ token }) : undefined,
      });
      setEditing(false);
      setToken("");
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (tokenName) {
    return (
      <span className="flex items-center gap-2 text-xs" data-testid="session">
        signed in as <strong>{tokenName}</strong>
        <button type="button" onClick={() => send("DELETE")} className="underline">
          sign out
        </button>
      </span>
    );
  }
  return editing ? (
    <form
      className="flex items-center gap-2 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        void send("POST");
      }}
    >
      <input
        type="password"
        aria-label="API token"
        placeholder="mat_…"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        className="w-48 rounded border border-zinc-300 px-2 py-0.5 dark:border-zinc-700 dark:bg-zinc-800"
        autoFocus
      />
      <button className="rounded bg-indigo-600 px-2 py-0.5 text-white">Sign in</button>
      {error ? (
        <span role="alert" className="text-red-600">
          {error}
        </span>
      ) : null}
    </form>
  ) : (
    <button type="button" onClick={() => setEditing(true)} className="text-xs underline" data-testid="sign-in">
      Sign in with a token
    </button>
  );
}
