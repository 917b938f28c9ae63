import { afterAll, beforeAll } from "vitest";
import { openTestDatabase } from "./test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;
export type RouteHandler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

/**
 * A fresh test database for the suite, which the route handlers use as the process's database
 * (`globalThis.__atlasDb`, as lib/db/client.ts looks it up). Read `.db` inside tests.
 */
export function useRouteDatabase(kind: "pglite" | "postgres") {
  const holder: { t?: TestDb } = {};
  beforeAll(async () => {
    holder.t = await openTestDatabase(kind);
    (globalThis as { __atlasDb?: Promise<unknown> }).__atlasDb = Promise.resolve(holder.t);
  });
  afterAll(async () => {
    delete (globalThis as { __atlasDb?: unknown }).__atlasDb;
    await holder.t?.drop();
  });
  return {
    get db() {
      return holder.t!.db;
    },
  };
}

/** Calls a route handler as Next calls it; the JSON answer parsed. */
export async function callRoute(handler: RouteHandler, url: string, init: RequestInit & { params?: Record<string, string> } = {}) {
  const res = await handler(new Request(`http://atlas.test${url}`, init), { params: Promise.resolve(init.params ?? {}) as Promise<never> });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A JSON POST for callRoute. */
export const postJson = (body: unknown, headers: Record<string, string> = {}) => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
