import { cookies, headers } from "next/headers";
import { cache } from "react";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { ApiError } from "@/lib/errors";
import { canRead, presentedToken, resolveViewer, TOKEN_COOKIE, type Viewer } from "./viewer";

/**
 * The viewer of a page request: the session cookie (the browser sends no Authorization header for
 * navigations). A stale cookie (token revoked) reads as anonymous here; the API still answers 403.
 * Cached per request: the layout and the page both ask.
 */
export const pageViewer = cache(async (): Promise<Viewer> => {
  const db = await getDb();
  const value = (await cookies()).get(TOKEN_COOKIE)?.value ?? null;
  const authorization = (await headers()).get("authorization");
  try {
    return await resolveViewer(
      db,
      presentedToken(authorization, null) ?? (value ? { token: value, where: `cookie ${TOKEN_COOKIE}` } : null),
    );
  } catch (e) {
    if (e instanceof ApiError) return resolveViewer(db, null);
    throw e;
  }
});

/** The run for a page, or the 404 page when it does not exist or this viewer may not read it. */
export async function pageRun(id: string): Promise<RunWithModel> {
  const run = await getRun(await getDb(), id);
  if (!run || !canRead(await pageViewer(), run)) notFound();
  return run;
}

/** For generateMetadata: the run's name only when the viewer may read it. */
export async function pageRunOrNull(id: string): Promise<RunWithModel | null> {
  const run = await getRun(await getDb(), id);
  return run && canRead(await pageViewer(), run) ? run : null;
}
