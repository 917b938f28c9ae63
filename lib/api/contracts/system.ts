import { z } from "zod";
import { defineContract, json, jsonBody } from "../contract";
import { idParams, modelConfigResponseSchema, runSchema } from "./common";

/** The server itself, browser sessions, and shares (pinned views). */

export const health = defineContract({
  method: "GET",
  path: "/api/health",
  summary: "Liveness and which database is in use",
  response: json(
    z.object({
      ok: z.literal(true),
      database: z.enum(["postgres", "pglite"]),
      version: z.string(),
      writeTokenRequired: z.boolean(),
    }),
    "ok",
  ),
  errors: [500],
});

export const modelPresets = defineContract({
  method: "GET",
  path: "/api/models/presets",
  summary: "Model presets (PRODUCT.md §7)",
  response: json(
    z.object({
      presets: z.array(
        modelConfigResponseSchema.extend({
          id: z.string(),
          source: z.string().describe("where the numbers come from"),
        }),
      ),
    }),
    "presets",
  ),
  errors: [],
});

export const openApi = defineContract({
  method: "GET",
  path: "/api/openapi.json",
  summary: "This document, generated from the endpoints' contracts",
  response: json(
    z
      .object({
        openapi: z.string(),
        info: z.object({ title: z.string(), version: z.string() }).loose(),
        paths: z.record(z.string(), z.record(z.string(), z.unknown())),
      })
      .loose(),
    "OpenAPI 3.1",
  ),
  errors: [],
});

const session = z.object({
  open: z.boolean().describe("the server has no tokens: anyone may write"),
  signedIn: z.boolean(),
  tokenName: z.string().nullable(),
});
export const getSession = defineContract({
  method: "GET",
  path: "/api/session",
  summary: "Who the browser is: open when the server has no tokens, else the signed-in token's name",
  response: json(session, "session"),
  errors: [403],
});

export const signIn = defineContract({
  method: "POST",
  path: "/api/session",
  summary:
    "Browser sign-in: stores the token in an httpOnly SameSite=Strict cookie, which then counts as the bearer token",
  body: jsonBody(z.object({ token: z.string().min(1) })),
  response: json(session, "signed in (set-cookie)"),
  errors: [400, 403],
});

export const signOut = defineContract({
  method: "DELETE",
  path: "/api/session",
  summary: "Sign out (clears the cookie)",
  response: json(z.object({ signedIn: z.literal(false) }), "signed out"),
  errors: [],
});

export const createShare = defineContract({
  method: "POST",
  path: "/api/shares",
  summary:
    "Pin a view: every answer it shows is computed now and stored; GET /s/{id} shows that picture whatever is uploaded later",
  auth: true,
  body: jsonBody(
    z.object({
      path: z
        .string()
        .min(1)
        .max(4096)
        .describe(
          "a view path with its query string, e.g. /runs/{id}/layers/3?norm=lift&order=group, or /compare?a=&b=",
        ),
    }),
  ),
  response: json(
    z.object({
      id: z.string(),
      url: z.string(),
      path: z.string(),
      kind: z.string().describe("which view: overview, layer, expert, graph, flow, placement, compare..."),
      runId: z.string(),
      createdAt: z.string(),
    }),
    "share",
    201,
  ),
  errors: [400, 401, 403, 404],
});

export const getShare = defineContract({
  method: "GET",
  path: "/api/shares/{id}",
  summary: "A share and everything it pinned, for who may read the runs it shows (else 404, as for the runs)",
  params: idParams,
  response: json(
    z.object({
      id: z.string(),
      path: z.string(),
      runId: z.string().nullable(),
      state: z
        .object({ kind: z.string(), pathname: z.string(), search: z.string() })
        .loose()
        .describe("the view and its URL state"),
      createdAt: z.string(),
      snapshot: z
        .object({
          run: runSchema,
          runIds: z.array(z.string()).optional(),
          queries: z.array(
            z.object({
              key: z.array(z.unknown()),
              data: z.unknown().describe("the answer of that query's endpoint when pinned"),
            }),
          ),
          props: z.record(z.string(), z.unknown()).optional(),
        })
        .describe("the run as it was, and every answer the view draws from, under its query keys"),
    }),
    "share",
  ),
  errors: [404],
});

export const deleteShare = defineContract({
  method: "DELETE",
  path: "/api/shares/{id}",
  summary:
    "Delete a share (the link stops working). Allowed to the token that created it, an admin token, or who may change a run it derives from (on a server without tokens: anyone); others get 403, or 404 when they may not read it.",
  auth: true,
  params: idParams,
  response: json(z.object({ deleted: z.object({ id: z.string(), path: z.string() }) }), "deleted"),
  errors: [401, 403, 404],
});
