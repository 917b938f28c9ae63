import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";

/**
 * Visibility as SQL, so lists filter in the database and page correctly. The rules are those of
 * lib/auth/viewer.ts (`canRead`): `list` is what an index shows (public runs, and the viewer's
 * own or, for an admin, all), `read` what may be opened by id (everything but others' private runs).
 */
export type VisibilityMode = "list" | "read";

export function runVisible(viewer: Viewer, mode: VisibilityMode, visibility: SQL, owner: SQL): SQL | undefined {
  if (viewer.open || viewer.admin) return undefined;
  const own = viewer.tokenId ? sql` or ${owner} = ${viewer.tokenId}` : sql``;
  return mode === "list" ? sql`(${visibility} = 'public'${own})` : sql`(${visibility} <> 'private'${own})`;
}

/**
 * A record derived from a run (a pruning run computed on its trace, a quantization result tied to
 * it) is exactly as visible as that run: the condition holds when `runId` is null or names a run
 * the viewer may see in this mode.
 */
export function derivedVisible(viewer: Viewer, mode: VisibilityMode, runId: AnyColumn): SQL | undefined {
  const cond = runVisible(viewer, mode, sql.raw(`"src"."visibility"`), sql.raw(`"src"."owner_token_id"`));
  if (!cond) return undefined;
  return sql`(${runId} is null or exists (select 1 from "runs" "src" where "src"."id" = ${runId} and ${cond}))`;
}
