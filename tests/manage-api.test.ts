import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as runsRoute from "@/app/api/runs/route";
import * as runRoute from "@/app/api/runs/[id]/route";
import * as tracesRoute from "@/app/api/runs/[id]/traces/route";
import * as uploadRoute from "@/app/api/runs/[id]/uploads/[uploadId]/route";
import * as pruningRoute from "@/app/api/pruning-runs/[id]/route";
import * as quantRoute from "@/app/api/quant-results/[id]/route";
import * as shareRoute from "@/app/api/shares/[id]/route";
import * as sharesRoute from "@/app/api/shares/route";
import { createApiToken, findApiToken } from "@/lib/db/queries/api-tokens";
import { createModel } from "@/lib/db/queries/models";
import { insertPruningRun } from "@/lib/db/queries/pruning-runs";
import { insertQuantResult } from "@/lib/db/queries/quant-results";
import { callRoute, postJson, useRouteDatabase } from "./support/route-calls";

const json = { "content-type": "application/json" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tiny = { name: "tiny", layers: 2, experts: 4, topK: 2 };
const trace = (seq: number) =>
  Array.from({ length: 6 }, (_, i) =>
    JSON.stringify({ seq, token: i, layer: i % 2, experts: [i % 4, (i + 1) % 4], weights: [0.7, 0.3] }),
  ).join("\n") + "\n";

describe("managing runs through the API", () => {
  const t = useRouteDatabase("pglite");

  const create = (body: object, headers: Record<string, string> = {}) =>
    callRoute(runsRoute.POST, "/api/runs", postJson({ model: tiny, ...body }, headers));
  const patch = (id: string, body: object, headers: Record<string, string> = {}) =>
    callRoute(runRoute.PATCH, `/api/runs/${id}`, {
      method: "PATCH",
      params: { id },
      headers: { ...json, ...headers },
      body: JSON.stringify(body),
    });
  const del = (id: string, headers: Record<string, string> = {}) =>
    callRoute(runRoute.DELETE, `/api/runs/${id}`, { method: "DELETE", params: { id }, headers });
  const upload = (id: string, body: string, headers: Record<string, string> = {}) =>
    callRoute(tracesRoute.POST, `/api/runs/${id}/traces?filename=t.jsonl`, {
      method: "POST",
      params: { id },
      headers,
      body,
    });
  const delUpload = (id: string, uploadId: string, headers: Record<string, string> = {}) =>
    callRoute(uploadRoute.DELETE, `/api/runs/${id}/uploads/${uploadId}`, {
      method: "DELETE",
      params: { id, uploadId },
      headers,
    });
  const list = async (query: string, headers: Record<string, string> = {}) =>
    (await callRoute(runsRoute.GET, `/api/runs${query}`, { headers })).body;

  it("sets and edits the policy (validated), and sorts and filters the list by it", async () => {
    const c2r = await create({ name: "b c2r", policy: "c2r:T=2" });
    expect(c2r.status).toBe(201);
    expect(c2r.body.policy).toBe("c2r:T=2");
    const bad = await create({ name: "x", policy: "c2r" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/c2r:T=<n>/);
    const v = await create({ name: "A vanilla" });
    expect(v.body.policy).toBe("vanilla");
    await upload(v.body.id, trace(1) + trace(2));
    const edited = await patch(v.body.id, {
      name: "c edited",
      description: "now pruned",
      tags: ["x", "y"],
      visibility: "unlisted",
      policy: "pruned:keep 6 of 8",
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      name: "c edited",
      description: "now pruned",
      tags: ["x", "y"],
      visibility: "unlisted",
      policy: "pruned:keep 6 of 8",
    });
    expect((await patch(v.body.id, { policy: "device-limited:M=0" })).status).toBe(400);
    expect((await patch(v.body.id, { policy: "device-limited:M=4" })).body.policy).toBe("device-limited:M=4");
    await patch(v.body.id, { visibility: "public" });
    await create({ name: "d quantized", policy: "quantized:GPTQ 3-bit" });

    const names = (r: { runs: { name: string }[] }) => r.runs.map((x) => x.name);
    expect(names(await list("?sort=name"))).toEqual(["b c2r", "c edited", "d quantized"]);
    expect(names(await list("?sort=name&order=desc"))).toEqual(["d quantized", "c edited", "b c2r"]);
    expect(names(await list("?sort=events"))[0]).toBe("c edited");
    expect(names(await list(""))).toEqual(["d quantized", "c edited", "b c2r"]);
    expect(names(await list("?sort=created&order=asc"))).toEqual(["b c2r", "c edited", "d quantized"]);
    expect(names(await list("?policy=c2r"))).toEqual(["b c2r"]);
    expect(names(await list("?policy=device-limited:M=4"))).toEqual(["c edited"]);
    expect((await callRoute(runsRoute.GET, "/api/runs?sort=size", {})).status).toBe(400);
  });

  it("lets only the owner's token or an admin delete, once tokens exist; private runs are 404 to others", async () => {
    // On an open server anyone may delete.
    const open = await create({ name: "open" });
    const up = await upload(open.body.id, trace(1));
    expect(up.status).toBe(200);
    const d = await delUpload(open.body.id, up.body.uploadId);
    expect(d.status).toBe(200);
    expect(d.body.run).toMatchObject({ events: 0, tokens: 0, uploads: [] });
    expect((await del(open.body.id)).body.deleted).toMatchObject({ id: open.body.id, uploads: 0 });

    const { token: admin } = await createApiToken(t.db, "admin"); // the first token is an admin
    const { token: owner } = await createApiToken(t.db, "owner");
    const { token: other } = await createApiToken(t.db, "other");
    const mine = (await create({ name: "mine" }, bearer(owner))).body;
    const secret = (await create({ name: "secret", visibility: "private" }, bearer(owner))).body;
    const u = (await upload(mine.id, trace(1) + trace(2), bearer(owner))).body;
    expect(u.events).toBe(12);

    for (const [what, call] of [
      ["run", (h: Record<string, string>) => del(mine.id, h)],
      ["upload", (h: Record<string, string>) => delUpload(mine.id, u.uploadId, h)],
    ] as const) {
      expect((await call({})).status, `${what}: anonymous`).toBe(401);
      expect((await call(bearer("mat_wrong"))).status, `${what}: an invalid token`).toBe(403);
      const r = await call(bearer(other));
      expect(r.status, `${what}: another token`).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
    }
    expect((await del(secret.id, bearer(other))).status).toBe(404);
    expect((await delUpload(secret.id, "x", bearer(other))).status).toBe(404);
    expect((await patch(mine.id, { policy: "c2r:T=1" }, bearer(other))).status).toBe(403);

    expect((await delUpload(mine.id, u.uploadId, bearer(owner))).body.run.events).toBe(0);
    expect((await delUpload(mine.id, u.uploadId, bearer(owner))).status).toBe(404);
    expect((await del(mine.id, bearer(owner))).status).toBe(200);
    expect(
      (await callRoute(runRoute.GET, `/api/runs/${mine.id}`, { params: { id: mine.id }, headers: bearer(owner) }))
        .status,
    ).toBe(404);
    expect((await del(secret.id, bearer(admin))).status).toBe(200);
  });

  it("deletes pruning runs, quantization results and shares for their creator, an admin or a writer of their run", async () => {
    const [admin, owner, other, reader] = ["admin", "owner", "other", "reader"];
    const tokens = Object.fromEntries(
      await Promise.all(
        [admin, owner, other, reader].map(async (n) => [
          n,
          (await createApiToken(t.db, `${n}2`, { admin: n === "admin" })).token,
        ]),
      ),
    );
    const run = (await create({ name: "source" }, bearer(tokens.owner))).body;
    const priv = (await create({ name: "private source", visibility: "private" }, bearer(tokens.owner))).body;
    await upload(run.id, trace(1), bearer(tokens.owner));
    const model = async () =>
      (await createModel(t.db, { ...tiny, router: "softmax", renormalize: true, sharedExperts: 0 }, null)).id;
    const tokenId = async (tok: string) => (await findApiToken(t.db, tok))!.id;

    // A pruning run someone else computed on the owner's run: the owner may delete it (it is their run's), as may its creator.
    const p1 = await insertPruningRun(t.db, {
      id: "p1",
      name: "p1",
      modelId: await model(),
      runId: run.id,
      criterion: "EUF",
      schedule: "one-shot",
      steps: [],
      ownerTokenId: await tokenId(tokens.reader),
    });
    const p2 = await insertPruningRun(t.db, {
      id: "p2",
      name: "p2",
      modelId: await model(),
      runId: null,
      criterion: "EUF",
      schedule: "one-shot",
      steps: [],
      ownerTokenId: await tokenId(tokens.reader),
    });
    const p3 = await insertPruningRun(t.db, {
      id: "p3",
      name: "papers",
      modelId: await model(),
      runId: null,
      criterion: "EUF",
      schedule: "one-shot",
      steps: [],
      ownerTokenId: null,
    });
    const p4 = await insertPruningRun(t.db, {
      id: "p4",
      name: "on private",
      modelId: await model(),
      runId: priv.id,
      criterion: "EUF",
      schedule: "one-shot",
      steps: [],
      ownerTokenId: await tokenId(tokens.owner),
    });
    const delP = (id: string, h: Record<string, string> = {}) =>
      callRoute(pruningRoute.DELETE, `/api/pruning-runs/${id}`, { method: "DELETE", params: { id }, headers: h });
    expect((await delP(p1.id)).status).toBe(401);
    expect((await delP(p1.id, bearer(tokens.other))).status).toBe(403);
    expect((await delP(p4.id, bearer(tokens.other))).status).toBe(404);
    expect((await delP(p1.id, bearer(tokens.owner))).status).toBe(200);
    expect((await delP(p2.id, bearer(tokens.owner))).status).toBe(403);
    expect((await delP(p2.id, bearer(tokens.reader))).body.deleted).toEqual({ id: "p2", name: "p2" });
    expect((await delP(p3.id, bearer(tokens.reader))).status).toBe(403);
    expect((await delP(p3.id, bearer(tokens.admin))).status).toBe(200);
    expect((await delP(p3.id, bearer(tokens.admin))).status).toBe(404);
    expect((await callRoute(pruningRoute.GET, `/api/pruning-runs/p1`, { params: { id: "p1" } })).status).toBe(404);

    const q = await insertQuantResult(t.db, {
      id: "q1",
      name: "q1",
      modelId: await model(),
      method: "RTN",
      bits: { attention: 4, experts: [[4]] },
      avgBits: 4,
      sizeBytes: 1,
      fpRunId: run.id,
      ownerTokenId: null,
    });
    const delQ = (id: string, h: Record<string, string> = {}) =>
      callRoute(quantRoute.DELETE, `/api/quant-results/${id}`, { method: "DELETE", params: { id }, headers: h });
    expect((await delQ(q.id, bearer(tokens.other))).status).toBe(403);
    expect((await delQ(q.id, bearer(tokens.owner))).status).toBe(200);

    // Shares: the creator (a reader of a public run) may delete theirs; so may the run's owner.
    const share = async (tok: string) =>
      (await callRoute(sharesRoute.POST, "/api/shares", postJson({ path: `/runs/${run.id}` }, bearer(tok)))).body
        .id as string;
    const delS = (id: string, h: Record<string, string> = {}) =>
      callRoute(shareRoute.DELETE, `/api/shares/${id}`, { method: "DELETE", params: { id }, headers: h });
    const s1 = await share(tokens.reader);
    const s2 = await share(tokens.reader);
    expect((await delS(s1)).status).toBe(401);
    expect((await delS(s1, bearer(tokens.other))).status).toBe(403);
    expect((await delS(s1, bearer(tokens.reader))).status).toBe(200);
    expect((await callRoute(shareRoute.GET, `/api/shares/${s1}`, { params: { id: s1 } })).status).toBe(404);
    expect((await delS(s2, bearer(tokens.owner))).status).toBe(200);
  });
});

describe("series and steps through the API", () => {
  const t = useRouteDatabase("pglite");
  const create = (body: object) => callRoute(runsRoute.POST, "/api/runs", postJson({ model: tiny, ...body }));
  const patch = (id: string, body: object) =>
    callRoute(runRoute.PATCH, `/api/runs/${id}`, {
      method: "PATCH",
      params: { id },
      headers: json,
      body: JSON.stringify(body),
    });
  const list = async (query: string) => (await callRoute(runsRoute.GET, `/api/runs${query}`, {})).body;

  it("puts runs in a series at a step: one run per step, one model shape, both or neither, nothing stored when refused", async () => {
    const a = await create({ name: "ckpt 100", series: "olmoe-pretrain", step: 100 });
    expect(a.status).toBe(201);
    expect([a.body.series, a.body.step]).toEqual(["olmoe-pretrain", 100]);
    const before = (await list("")).runs.length;
    const taken = await create({ name: "again", series: "olmoe-pretrain", step: 100 });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "step_taken", where: "step" });
    expect(taken.body.error.message).toContain(a.body.id);
    const noStep = await create({ name: "x", series: "olmoe-pretrain" });
    expect([noStep.status, noStep.body.error.code]).toEqual([400, "series_without_step"]);
    const noSeries = await create({ name: "x", step: 3 });
    expect([noSeries.status, noSeries.body.error.code]).toEqual([400, "step_without_series"]);
    const otherShape = await create({ name: "x", series: "olmoe-pretrain", step: 200, model: { ...tiny, experts: 8 } });
    expect([otherShape.status, otherShape.body.error.code]).toEqual([400, "series_model_mismatch"]);
    const negative = await create({ name: "x", series: "s", step: -1 });
    expect(negative.status).toBe(400);
    expect((await list("")).runs.length).toBe(before);
    const orphanModels = (await t.db.execute(
      sql`select count(*)::int as n from models m where not exists (select 1 from runs r where r.model_id = m.id)`,
    )) as unknown as { rows: { n: number }[] };
    expect(orphanModels.rows[0]).toEqual({ n: 0 });

    const b = await create({ name: "loose" });
    const moved = await patch(b.body.id, { series: "olmoe-pretrain", step: 200 });
    expect(moved.status).toBe(200);
    expect([moved.body.series, moved.body.step]).toEqual(["olmoe-pretrain", 200]);
    expect((await patch(b.body.id, { step: 100 })).status).toBe(409);
    expect((await patch(b.body.id, { step: 150 })).body.step).toBe(150);
    expect((await list("?series=olmoe-pretrain")).runs.map((r: { step: number }) => r.step).sort()).toEqual([100, 150]);
    const out = await patch(b.body.id, { series: null, step: null });
    expect([out.body.series, out.body.step]).toEqual([null, null]);
    expect((await patch(b.body.id, { step: 5 })).body.error.code).toBe("step_without_series");
  });
});
