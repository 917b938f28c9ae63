import { describe, expect, it } from "vitest";
import * as runsRoute from "@/app/api/runs/route";
import * as runRoute from "@/app/api/runs/[id]/route";
import * as uploadRoute from "@/app/api/runs/[id]/uploads/[uploadId]/route";
import * as tracesRoute from "@/app/api/runs/[id]/traces/route";
import * as compareRoute from "@/app/api/compare/route";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { RUN_SORTS } from "@/lib/runs/run-sorts";
import { callRoute, postJson, TINY_MODEL, tinyRun, useRouteDatabase } from "./support/route-calls";

type Run = {
  id: string;
  name: string;
  policy: string;
  tags: string[];
  series: string | null;
  step: number | null;
  tokens: number;
  events: number;
  createdAt: string;
  model: { name: string };
  meanBalance: number | null;
  meanCollaborationEntropy: number | null;
};

const ev = (seq: number, token: number, layer: number, experts: number[]) => ({ seq, token, layer, experts });
/** Base X: layer 0 loads [2,2,0,0], layer 1 [0,0,2,2]. */
const X = [ev(0, 0, 0, [0, 1]), ev(0, 1, 0, [0, 1]), ev(0, 0, 1, [2, 3]), ev(0, 1, 1, [2, 3])];
/** Y: layer 0 [2,1,1,0] (token 1 flips), layer 1 as X. */
const Y = [ev(0, 0, 0, [0, 1]), ev(0, 1, 0, [0, 2]), ev(0, 0, 1, [2, 3]), ev(0, 1, 1, [2, 3])];
/** Z: layer 0 [0,0,2,2] (both flip), layer 1 [1,1,1,1] (token 0 flips). */
const Z = [ev(0, 0, 0, [2, 3]), ev(0, 1, 0, [2, 3]), ev(0, 0, 1, [0, 1]), ev(0, 1, 1, [2, 3])];

const log2 = Math.log2;
/** JS distances by hand: √(½ KL(P‖M) + ½ KL(Q‖M)), M = (P + Q) / 2, base 2, written out term by term. */
const JSD_Y0 = Math.sqrt(0.5 * (0.5 * log2(0.5 / 0.375) + (0.25 * log2(0.25 / 0.375) + 0.25 * log2(0.25 / 0.125))));
const JSD_Z1 = Math.sqrt(
  0.5 * (2 * 0.25 * log2(0.25 / 0.125) + 2 * 0.25 * log2(0.25 / 0.375) + 2 * 0.5 * log2(0.5 / 0.375)),
);

describe("the runs table and N-run comparison through the API", () => {
  const t = useRouteDatabase("pglite");
  const list = async (query: string, headers: Record<string, string> = {}) =>
    callRoute(runsRoute.GET, `/api/runs${query}`, { headers });
  const compare = (query: string, headers: Record<string, string> = {}) =>
    callRoute(compareRoute.GET, `/api/compare?${query}`, { headers });
  const ids: Record<string, string> = {};

  it("keeps each run's mean balance and mean collaboration entropy, on commit and on upload delete", async () => {
    ids.x = await tinyRun("x base", X);
    ids.y = await tinyRun("y one flip", Y);
    ids.z = await tinyRun("z disjoint", Z);
    const byName = async () =>
      Object.fromEntries(((await list("?limit=1000")).body.runs as Run[]).map((r) => [r.name, r]));
    const runs = await byName();
    // H(P) / ln 4 per layer, by hand: X .5 and .5; Y .75 ([.5,.25,.25,0]: 1.5 ln 2 / 2 ln 2) and .5; Z .5 and 1.
    expect(runs["x base"].meanBalance).toBeCloseTo(0.5, 12);
    expect(runs["y one flip"].meanBalance).toBeCloseTo(0.625, 12);
    expect(runs["z disjoint"].meanBalance).toBeCloseTo(0.75, 12);
    // X: experts 0 and 1 co-activate only with each other (H = 0), as do 2 and 3.
    expect(runs["x base"].meanCollaborationEntropy).toBe(0);
    // Z layer 1: 0–1 and 2–3 once each: every row has one partner, H = 0; layer 0 likewise.
    expect(runs["z disjoint"].meanCollaborationEntropy).toBe(0);
    // Y layer 0: expert 0 co-activates with 1 and 2 once each (H = ln 2), experts 1 and 2 with 0 only.
    expect(runs["y one flip"].meanCollaborationEntropy).toBeCloseTo((Math.log(2) / 3 + 0) / 2, 12);

    // A second upload into a new run, then its delete: the summary follows the stored totals.
    const w = await tinyRun("w", [ev(0, 0, 0, [0, 1]), ev(0, 0, 1, [0, 1])]);
    const up = await callRoute(tracesRoute.POST, `/api/runs/${w}/traces`, {
      method: "POST",
      params: { id: w },
      body: JSON.stringify(ev(1, 0, 0, [2, 3])),
    });
    expect((await byName())["w"].meanBalance).toBeCloseTo((1 + 0.5) / 2, 12);
    const del = await callRoute(uploadRoute.DELETE, `/api/runs/${w}/uploads/${up.body.uploadId}`, {
      method: "DELETE",
      params: { id: w, uploadId: up.body.uploadId },
    });
    expect(del.status).toBe(200);
    expect((await byName())["w"].meanBalance).toBeCloseTo(0.5, 12);
    await callRoute(runRoute.DELETE, `/api/runs/${w}`, { method: "DELETE", params: { id: w } });
  });

  it("sorts by every column both ways, pages with limit and offset, and counts the total", async () => {
    // Runs without tokens (no summary), in a series, with tags: every column has ties and nulls.
    const made = [];
    for (let i = 0; i < 7; i++) {
      const { body } = await callRoute(
        runsRoute.POST,
        "/api/runs",
        postJson({
          name: `${i % 2 ? "B" : "a"} empty ${i}`,
          model: i % 3 ? TINY_MODEL : { ...TINY_MODEL, name: "Another" },
          tags: i % 2 ? ["t1"] : [],
          policy: i % 2 ? "c2r:T=1" : "vanilla",
          ...(i < 4 ? { series: i < 2 ? "s-a" : "s-b", step: i * 10 } : {}),
        }),
      );
      made.push(body.id);
    }
    const all = (await list("")).body;
    expect(all.total).toBe(10);
    expect(all.limit).toBe(1000);
    expect(all.offset).toBe(0);

    const cmpText = (a: string | null, b: string | null) =>
      a === b ? 0 : a === null ? 1 : b === null ? -1 : a.toLowerCase() < b.toLowerCase() ? -1 : 1;
    const keyOf: Record<(typeof RUN_SORTS)[number], (r: Run) => unknown> = {
      created: (r) => r.createdAt,
      name: (r) => r.name.toLowerCase(),
      model: (r) => r.model.name.toLowerCase(),
      policy: (r) => r.policy,
      series: (r) => [r.series, r.step],
      tags: (r) => r.tags.join("\u0000"),
      tokens: (r) => r.tokens,
      events: (r) => r.events,
      balance: (r) => r.meanBalance,
      entropy: (r) => r.meanCollaborationEntropy,
    };
    for (const sort of RUN_SORTS) {
      for (const order of ["asc", "desc"] as const) {
        const { status, body } = await list(`?sort=${sort}&order=${order}`);
        expect(status).toBe(200);
        const runs = body.runs as Run[];
        expect(runs).toHaveLength(10);
        // Ordered by the column (nulls last both ways for series, balance, entropy).
        for (let i = 1; i < runs.length; i++) {
          const a = keyOf[sort](runs[i - 1]) as string | number | null;
          const b = keyOf[sort](runs[i]) as string | number | null;
          let c: number;
          if (sort === "series") {
            const [sa, ta] = a as unknown as [string | null, number | null];
            const [sb, tb] = b as unknown as [string | null, number | null];
            c = cmpText(sa, sb);
            if (c === 0 && sa !== null) c = (ta ?? 0) - (tb ?? 0);
            if (order === "desc" && sa !== null && sb !== null) c = -c;
            if (order === "desc" && (sa === null) !== (sb === null)) c = cmpText(sa, sb);
          } else if (a === null || b === null) {
            c = a === b ? 0 : a === null ? 1 : -1;
          } else {
            c = a < b ? -1 : a > b ? 1 : 0;
            if (order === "desc") c = -c;
          }
          expect(c, `${sort} ${order} at ${i}: ${JSON.stringify(a)} then ${JSON.stringify(b)}`).toBeLessThanOrEqual(0);
        }
        // Pages of 3 put together are the whole order: nothing twice, nothing missing.
        const paged: string[] = [];
        for (let offset = 0; offset < 10; offset += 3) {
          const page = (await list(`?sort=${sort}&order=${order}&limit=3&offset=${offset}`)).body;
          expect(page.total).toBe(10);
          expect(page.limit).toBe(3);
          expect(page.offset).toBe(offset);
          paged.push(...(page.runs as Run[]).map((r) => r.id));
        }
        expect(paged).toEqual(runs.map((r) => r.id));
      }
    }
    // Defaults: A→Z for text, largest first for numbers; the balance sort puts runs without tokens last.
    const balance = ((await list("?sort=balance")).body.runs as Run[]).map((r) => r.name);
    expect(balance.slice(0, 3)).toEqual(["z disjoint", "y one flip", "x base"]);
    const ascBalance = ((await list("?sort=balance&order=asc")).body.runs as Run[]).map((r) => r.name);
    expect(ascBalance.slice(0, 3)).toEqual(["x base", "y one flip", "z disjoint"]);
    const series = (await list("?sort=series")).body.runs as Run[];
    expect(series.slice(0, 4).map((r) => [r.series, r.step])).toEqual([
      ["s-a", 0],
      ["s-a", 10],
      ["s-b", 20],
      ["s-b", 30],
    ]);
    // The filters page too: total counts the matches, not the page.
    const filtered = (await list("?policy=c2r&limit=2")).body;
    expect(filtered.total).toBe(3);
    expect(filtered.runs).toHaveLength(2);
    expect((await list("?offset=50")).body.runs).toEqual([]);
    for (const id of made) await callRoute(runRoute.DELETE, `/api/runs/${id}`, { method: "DELETE", params: { id } });
  });

  it("refuses bad sorting and paging with the parameter named", async () => {
    for (const [q, where] of [
      ["?sort=size", "query parameter sort"],
      ["?order=up", "query parameter order"],
      ["?limit=0", "query parameter limit"],
      ["?limit=1001", "query parameter limit"],
      ["?limit=ten", "query parameter limit"],
      ["?offset=-1", "query parameter offset"],
    ]) {
      const { status, body } = await list(q);
      expect(status, q).toBe(400);
      expect(body.error.where, q).toBe(where);
    }
  });

  it("compares 2 to 8 runs: the run × layer JS distance to the base and paired flip rates, as computed by hand", async () => {
    const { status, body } = await compare(`runs=${ids.x},${ids.y},${ids.z}&paired=1`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.base).toBe(ids.x);
    expect(body.runs.map((r: Run) => r.id)).toEqual([ids.x, ids.y, ids.z]);
    const close = (m: (number | null)[][]) =>
      m.map((row) => row.map((v) => (v === null ? null : Number(v.toFixed(12)))));
    expect(close(body.jsd)).toEqual(
      close([
        [0, 0],
        [JSD_Y0, 0],
        [1, JSD_Z1],
      ]),
    );
    expect(body.flipRate).toEqual([
      [0, 0],
      [0.5, 0],
      [1, 0.5],
    ]);
    expect(body.runs[1].pairing).toEqual({ matchedEvents: 4, unmatchedRun: 0, unmatchedBase: 0 });
    expect(body.runs[0].pairing).toBeNull();
    expect(body.runs[2].meanJsd).toBeCloseTo((1 + JSD_Z1) / 2, 12);
    expect(body.runs[2].meanFlipRate).toBe(0.75);
    // Per-layer curves per run: Z's normalized load entropy is .5 then 1.
    expect(body.runs[2].curves.normalizedEntropy).toEqual([0.5, 1]);
    expect(body.runs[0].curves.tokens).toEqual([2, 2]);

    // Another base: the matrix is measured against it; JS distance is symmetric.
    const byZ = (await compare(`runs=${ids.x},${ids.y},${ids.z}&base=${ids.z}`)).body;
    expect(byZ.base).toBe(ids.z);
    expect(byZ.jsd[2]).toEqual([0, 0]);
    expect(byZ.jsd[0][0]).toBeCloseTo(1, 12);
    expect(byZ.jsd[0][1]).toBeCloseTo(JSD_Z1, 12);
    expect(byZ.flipRate).toBeNull();

    // The two-run form is unchanged.
    const two = await compare(`a=${ids.x}&b=${ids.y}&paired=1`);
    expect(two.status).toBe(200);
    expect(two.body.perLayer.map((l: { flipRate: number }) => l.flipRate)).toEqual([0.5, 0]);
    expect(two.body.perLayer[0].jsd).toBeCloseTo(JSD_Y0, 12);
  });

  it("refuses bad run lists with the parameter named, and other shapes", async () => {
    const { body: other } = await callRoute(
      runsRoute.POST,
      "/api/runs",
      postJson({ name: "other shape", model: { ...TINY_MODEL, experts: 8 } }),
    );
    for (const [q, code, where] of [
      [`runs=${ids.x}`, "invalid_field", "query parameter runs"],
      [
        `runs=${Array.from({ length: 9 }, (_, i) => `${ids.x}${i}`).join(",")}`,
        "invalid_field",
        "query parameter runs",
      ],
      [`runs=${ids.x},${ids.x}`, "invalid_field", "query parameter runs"],
      [`runs=${ids.x},${ids.y}&base=${ids.z}`, "invalid_field", "query parameter base"],
      [`runs=${ids.x},${ids.y}&a=${ids.x}`, "invalid_field", "query parameter a"],
      [`runs=${ids.x},${ids.y}&layer=1`, "invalid_field", "query parameter layer"],
      [`runs=${ids.x},${other.id}`, "model_mismatch", "query parameter runs"],
      [`base=${ids.x}&a=${ids.x}&b=${ids.y}`, "invalid_field", "query parameter base"],
      [`b=${ids.y}`, "missing_field", "query parameter a"],
      [`runs=${ids.x},nosuchrun`, "not_found", "query parameter runs"],
    ]) {
      const { status, body } = await compare(q);
      expect(status, q).toBe(code === "not_found" ? 404 : 400);
      expect([body.error.code, body.error.where], q).toEqual([code, where]);
    }
  });

  it("answers 404 for a private run the caller may not read, and leaves it out of lists and totals", async () => {
    const { token: admin } = await createApiToken(t.db, "admin");
    const { token: owner } = await createApiToken(t.db, "owner");
    const auth = (tok: string) => ({ authorization: `Bearer ${tok}` });
    const { body: hidden } = await callRoute(
      runsRoute.POST,
      "/api/runs",
      postJson({ name: "hidden", model: TINY_MODEL, visibility: "private" }, auth(owner)),
    );
    await callRoute(tracesRoute.POST, `/api/runs/${hidden.id}/traces`, {
      method: "POST",
      params: { id: hidden.id },
      headers: auth(owner),
      body: X.map((e) => JSON.stringify(e)).join("\n"),
    });
    const anonymous = await compare(`runs=${ids.x},${hidden.id}`);
    expect(anonymous.status).toBe(404);
    expect(anonymous.body.error.where).toBe("query parameter runs");
    expect(JSON.stringify(anonymous.body)).not.toContain("hidden");
    expect((await compare(`runs=${ids.x},${hidden.id}`, auth(owner))).status).toBe(200);
    expect((await compare(`runs=${ids.x},${hidden.id}`, auth(admin))).status).toBe(200);

    const anon = (await list("?sort=balance")).body;
    const mine = (await list("?sort=balance", auth(owner))).body;
    expect(anon.runs.map((r: Run) => r.id)).not.toContain(hidden.id);
    expect(mine.runs.map((r: Run) => r.id)).toContain(hidden.id);
    expect(mine.total).toBe(anon.total + 1);
  });
});
