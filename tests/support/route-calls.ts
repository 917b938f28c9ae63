import { afterAll, beforeAll, expect } from "vitest";
import { undeclaredKey, type AnyContract } from "@/lib/api/contract";
import { errorSchema } from "@/lib/api/contracts/common";
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

/**
 * Calls a route handler as Next calls it; the JSON answer parsed and checked against the route's
 * contract (its response schema on success, the error contract otherwise), so every answer an API
 * test receives is one the OpenAPI document describes.
 */
export async function callRoute(
  handler: RouteHandler,
  url: string,
  init: RequestInit & { params?: Record<string, string> } = {},
) {
  const res = await handler(new Request(`http://atlas.test${url}`, init), {
    params: Promise.resolve(init.params ?? {}) as Promise<never>,
  });
  const body = await res.json();
  expectContract((handler as { contract?: AnyContract }).contract, res.status, body);
  return { status: res.status, body, headers: res.headers };
}

/** Asserts an answer matches its contract: status and schema on success, the error contract otherwise. */
export function expectContract(contract: AnyContract | undefined, status: number, body: unknown) {
  expect(contract, "the route has no contract").toBeDefined();
  const c = contract!;
  if (status < 400) {
    expect(status, `${c.method} ${c.path}: status`).toBe(c.response.status);
    expect(c.response.kind, `${c.method} ${c.path}: a JSON answer from a binary contract`).toBe("json");
    if (c.response.kind !== "json") return;
    const checked = c.response.schema.safeParse(body);
    expect(
      checked.success ? [] : checked.error.issues,
      `${c.method} ${c.path}: the answer does not match its schema`,
    ).toEqual([]);
    expect(
      checked.success ? undeclaredKey(body, checked.data) : null,
      `${c.method} ${c.path}: a field the contract does not declare`,
    ).toBeNull();
  } else {
    const checked = errorSchema.safeParse(body);
    expect(
      checked.success ? [] : checked.error.issues,
      `${c.method} ${c.path}: a ${status} outside the error contract`,
    ).toEqual([]);
  }
}

/** A JSON POST for callRoute. */
export const postJson = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** Calls a route as Next does and returns the Response itself (bytes too); a JSON answer is checked against the contract. */
export async function getRoute(handler: RouteHandler, url: string, params: Record<string, string> = {}) {
  const res = await handler(new Request(`http://atlas.test${url}`), {
    params: Promise.resolve(params) as Promise<never>,
  });
  if (res.headers.get("content-type")?.startsWith("application/json"))
    expectContract((handler as { contract?: AnyContract }).contract, res.status, await res.clone().json());
  return res;
}

/** Two MoE layers of four experts, top-2: small enough to check every number by hand. */
export const TINY_MODEL = {
  name: "Tiny",
  layers: 2,
  experts: 4,
  topK: 2,
  sharedExperts: 0,
  router: "softmax",
  renormalize: true,
} as const;

/** A run of TINY_MODEL holding these events (one JSONL line each), created and uploaded through the routes. */
export async function tinyRun(name: string, events: object[]): Promise<string> {
  const runs = (await import("@/app/api/runs/route")).POST as RouteHandler;
  const traces = (await import("@/app/api/runs/[id]/traces/route")).POST as RouteHandler;
  const { body: run } = await callRoute(runs, "/api/runs", postJson({ name, model: TINY_MODEL }));
  const body = events.map((e) => JSON.stringify(e)).join("\n");
  const up = await callRoute(traces, `/api/runs/${run.id}/traces`, { method: "POST", body, params: { id: run.id } });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  return run.id as string;
}
