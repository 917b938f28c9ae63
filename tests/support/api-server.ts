import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import * as presets from "@/app/api/models/presets/route";
import * as runs from "@/app/api/runs/route";
import * as run from "@/app/api/runs/[id]/route";
import * as layer from "@/app/api/runs/[id]/layers/[layer]/route";
import * as traces from "@/app/api/runs/[id]/traces/route";
import * as plan from "@/app/api/runs/[id]/plan/route";
import * as upload from "@/app/api/runs/[id]/uploads/[uploadId]/route";
import * as pruningRun from "@/app/api/pruning-runs/[id]/route";
import * as quantResult from "@/app/api/quant-results/[id]/route";
import * as share from "@/app/api/shares/[id]/route";
import * as pruningRuns from "@/app/api/pruning-runs/route";
import * as pruningImport from "@/app/api/pruning-runs/import/route";
import * as quantResults from "@/app/api/quant-results/route";
import * as quantImport from "@/app/api/quant-results/import/route";
import type { Database } from "@/lib/db/client";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;
type Module = Record<string, unknown>;
const ROUTES: [RegExp, string[], Module][] = [
  [/^\/api\/models\/presets$/, [], presets],
  [/^\/api\/runs$/, [], runs],
  [/^\/api\/runs\/([^/]+)$/, ["id"], run],
  [/^\/api\/runs\/([^/]+)\/traces$/, ["id"], traces],
  [/^\/api\/runs\/([^/]+)\/plan$/, ["id"], plan],
  [/^\/api\/pruning-runs$/, [], pruningRuns],
  [/^\/api\/pruning-runs\/import$/, [], pruningImport],
  [/^\/api\/quant-results$/, [], quantResults],
  [/^\/api\/quant-results\/import$/, [], quantImport],
  [/^\/api\/runs\/([^/]+)\/layers\/([^/]+)$/, ["id", "layer"], layer],
  [/^\/api\/runs\/([^/]+)\/uploads\/([^/]+)$/, ["id", "uploadId"], upload],
  [/^\/api\/pruning-runs\/([^/]+)$/, ["id"], pruningRun],
  [/^\/api\/quant-results\/([^/]+)$/, ["id"], quantResult],
  [/^\/api\/shares\/([^/]+)$/, ["id"], share],
];

/**
 * The app's real route handlers behind a plain Node HTTP server, on a given database: lets the
 * CLI be tested end to end over HTTP without a Next build.
 */
export async function startApiServer(database: Database): Promise<{ url: string; close(): Promise<void> }> {
  (globalThis as { __atlasDb?: Promise<Database> }).__atlasDb = Promise.resolve(database);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    for (const [re, names, mod] of ROUTES) {
      const m = re.exec(url.pathname);
      const handler = m && (mod[req.method ?? "GET"] as Handler | undefined);
      if (!m || !handler) continue;
      const body = req.method === "GET" ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>);
      const request = new Request(url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body,
        duplex: "half",
      } as RequestInit);
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      const response = await handler(request, { params: Promise.resolve(params) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
