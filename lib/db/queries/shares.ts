import { eq, inArray } from "drizzle-orm";
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
  const ids = [...new Set(row.runIds.length ? row.runIds : row.runId ? [row.runId] : [])];
  const found = ids.length ? await db.select({ id: runs.id, visibility: runs.visibility, ownerTokenId: runs.ownerTokenId }).from(runs).where(inArray(runs.id, ids)) : [];
  if (found.length !== ids.length || !found.every((r) => canRead(viewer, r))) return undefined;
  return row;
}
