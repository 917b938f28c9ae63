import { desc, eq, inArray, sql } from "drizzle-orm";
import { canRead, type Viewer } from "@/lib/auth/viewer";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { runs, shares } from "../schema";

export interface NewShare {
  path: string;
  runId: string;
  runIds: string[];
  state: unknown;
  snapshot: unknown;
  /** The token that pinned it, or null on an open server. */
  ownerTokenId?: string | null;
}

export async function createShare(db: Db, input: NewShare) {
  const [row] = await db
    .insert(shares)
    .values({ id: newId(10), ...input })
    .returning();
  return row;
}

/**
 * A share, when this viewer may read every run it shows. A snapshot derives from its runs, so it
 * is exactly as visible as they are now: a link to a private run's view opens for its owner (and
 * admins), and a run made private later takes its shares with it. Otherwise: undefined (a 404).
 */
export async function getShare(db: Db, id: string, viewer: Viewer) {
  const [row] = await db.select().from(shares).where(eq(shares.id, id));
  if (!row) return undefined;
  const ids = shareRunIds(row);
  const found = ids.length
    ? await db
        .select({ id: runs.id, visibility: runs.visibility, ownerTokenId: runs.ownerTokenId })
        .from(runs)
        .where(inArray(runs.id, ids))
    : [];
  if (found.length !== ids.length || !found.every((r) => canRead(viewer, r))) return undefined;
  return row;
}

export async function deleteShare(db: Db, id: string) {
  await db.delete(shares).where(eq(shares.id, id));
}

/** The runs a share shows (its run, and a comparison's or a C2R simulation's other run). */
export function shareRunIds(row: { runId: string | null; runIds: string[] }): string[] {
  return [...new Set(row.runIds.length ? row.runIds : row.runId ? [row.runId] : [])];
}

/** Shares that show this run and that this viewer may open (it may read every run each shows), newest first. */
export async function listSharesOfRun(db: Db, runId: string, viewer: Viewer) {
  const rows = await db
    .select({
      id: shares.id,
      path: shares.path,
      runIds: shares.runIds,
      runId: shares.runId,
      createdAt: shares.createdAt,
    })
    .from(shares)
    .where(sql`(${shares.runId} = ${runId} or ${runId} = any(${shares.runIds}))`)
    .orderBy(desc(shares.createdAt), shares.id);
  const ids = [...new Set(rows.flatMap(shareRunIds))];
  const found = ids.length
    ? await db
        .select({ id: runs.id, visibility: runs.visibility, ownerTokenId: runs.ownerTokenId })
        .from(runs)
        .where(inArray(runs.id, ids))
    : [];
  const readable = new Set(found.filter((r) => canRead(viewer, r)).map((r) => r.id));
  return rows.filter((r) => shareRunIds(r).every((id) => readable.has(id)));
}
