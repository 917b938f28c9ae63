"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { DeleteButton } from "@/components/ui/delete-button";

export interface RunShareItem {
  id: string;
  path: string;
  createdAt: string;
}

/** Share links that show this run (pinned snapshots), each deletable: the link stops working. */
export function RunShares({ shares }: { shares: RunShareItem[] }) {
  const router = useRouter();
  if (!shares.length) return null;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer font-semibold">Share links ({shares.length})</summary>
      <ul className="mt-2 flex flex-col gap-1 text-xs" data-testid="shares-list">
        {shares.map((s) => (
          <li key={s.id} className="flex items-center gap-3" data-share={s.id}>
            <Link href={`/s/${s.id}`} className="font-mono text-indigo-600 underline">
              /s/{s.id}
            </Link>
            <span className="text-zinc-500">
              {s.path} · {s.createdAt.slice(0, 10)}
            </span>
            <DeleteButton
              small
              endpoint={`/api/shares/${s.id}`}
              what={`share /s/${s.id}`}
              consequences={`The link /s/${s.id} (a snapshot of ${s.path}) stops working for everyone.`}
              invalidate={[["shares"]]}
              onDeleted={() => router.refresh()}
            />
          </li>
        ))}
      </ul>
    </details>
  );
}
