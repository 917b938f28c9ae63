import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { callRoute, postJson, useRouteDatabase, type RouteHandler } from "./support/route-calls";

const json = { "content-type": "application/json" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tiny = { name: "tiny", layers: 2, experts: 4, topK: 2 };

/** Every route file under app/api with the write methods it exports, and a concrete URL for it. */
function writeRoutes(
  dir = path.join(__dirname, "../app/api"),
  prefix = "/api",
): { file: string; url: string; params: Record<string, string>; methods: string[] }[] {
  const out: ReturnType<typeof writeRoutes> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...writeRoutes(full, `${prefix}/${entry.name}`));
    else if (entry.name === "route.ts") {
      const src = fs.readFileSync(full, "utf8");
      const methods = ["POST", "PATCH", "PUT", "DELETE"].filter((m) => new RegExp(`export const ${m}\\b`).test(src));
      const params: Record<string, string> = {};
      const url = prefix.replace(
        /\[(\w+)\]/g,
        (_, name: string) => (params[name] = name === "layer" || name === "expert" ? "0" : "RUNID"),
      );
      if (methods.length) out.push({ file: path.relative(path.join(__dirname, ".."), full), url, params, methods });
    }
  }
  return out;
}

describe("cross-site request forgery (every write route)", () => {
  const t = useRouteDatabase("pglite");

  it("refuses cookie writes from another origin or site, form posts included, and lets same-origin and Bearer writes through", async () => {
    const runs = await import("@/app/api/runs/route");
    const { token } = await createApiToken(t.db, "victim");
    const run = (await callRoute(runs.POST, "/api/runs", postJson({ name: "victim's", model: tiny }, bearer(token))))
      .body;
    const cookie = { cookie: `atlas_token=${token}` };
    const routes = writeRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const attacks: Record<string, string>[] = [
      { origin: "http://atlas.test:4000" }, // another port of the same host
      { origin: "http://evil.atlas.test" }, // a sibling subdomain
      { origin: "null" }, // a sandboxed frame
      { "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "cross-site", origin: "http://atlas.test" },
    ];
    for (const r of routes) {
      const mod = (await import(`@/${r.file.replace(/\.ts$/, "")}`)) as Record<string, RouteHandler>;
      const params = Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, v === "RUNID" ? run.id : v]));
      for (const m of r.methods) {
        for (const attack of attacks) {
          // A form post: text/plain, the JSON smuggled in a field name.
          const res = await callRoute(mod[m], r.url.replace("RUNID", run.id), {
            method: m,
            params,
            headers: { "content-type": "text/plain", ...cookie, ...attack },
            body: '{"name":"forged","model":{"preset":"mixtral-8x7b"},"x":"=1"}',
          });
          expect(res.status, `${m} ${r.url} with ${JSON.stringify(attack)}`).toBe(403);
          expect(res.body.error.code).toBe("cross_origin");
        }
      }
    }
    // Nothing was created or uploaded by any of them.
    const list = await callRoute(runs.GET, "/api/runs", { headers: bearer(token) });
    expect(list.body.runs.map((x: { name: string }) => x.name)).toEqual(["victim's"]);
    expect(list.body.runs[0].events).toBe(0);

    // The app's own pages (same origin) and scripts (Bearer, or no browser headers at all) still write.
    const same = await callRoute(
      runs.POST,
      "/api/runs",
      postJson(
        { name: "from the app", model: tiny },
        { ...cookie, origin: "http://atlas.test", "sec-fetch-site": "same-origin" },
      ),
    );
    expect(same.status).toBe(201);
    const script = await callRoute(
      runs.POST,
      "/api/runs",
      postJson({ name: "from a script", model: tiny }, { ...bearer(token), origin: "http://elsewhere.example" }),
    );
    expect(script.status).toBe(201);
  });

  it("takes ATLAS_PUBLIC_URL as the app's origin, and forwarded hosts only when proxies are trusted", async () => {
    const runs = await import("@/app/api/runs/route");
    const { token } = await createApiToken(t.db, "second");
    const cookie = { cookie: `atlas_token=${token}` };
    const post = (headers: Record<string, string>) =>
      callRoute(runs.POST, "/api/runs", postJson({ name: "p", model: tiny }, { ...cookie, ...headers }));
    process.env.ATLAS_PUBLIC_URL = "https://atlas.lab.example";
    try {
      expect((await post({ origin: "https://atlas.lab.example" })).status).toBe(201);
      expect((await post({ origin: "https://other.lab.example" })).status).toBe(403);
    } finally {
      delete process.env.ATLAS_PUBLIC_URL;
    }
    // Behind a proxy the Host is the proxy's upstream; X-Forwarded-Host counts only when trusted.
    const proxied = {
      origin: "https://atlas.lab.example",
      "x-forwarded-host": "atlas.lab.example",
      "x-forwarded-proto": "https",
    };
    expect((await post(proxied)).status).toBe(403);
    process.env.ATLAS_TRUST_PROXY = "1";
    try {
      expect((await post(proxied)).status).toBe(201);
    } finally {
      delete process.env.ATLAS_TRUST_PROXY;
    }
  });
});

describe("write ownership with two tokens (and an admin)", () => {
  const t = useRouteDatabase("postgres");

  it("lets only a run's owner or an admin change it or upload into it; ownerless runs get an owner by an admin", async () => {
    const runs = await import("@/app/api/runs/route");
    const one = await import("@/app/api/runs/[id]/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    // Created while the server was open: no owner.
    const legacy = (
      await callRoute(runs.POST, "/api/runs", postJson({ name: "before tokens", model: tiny, visibility: "private" }))
    ).body;
    const { token: admin, row: adminRow } = await createApiToken(t.db, "admin");
    expect(adminRow.admin).toBe(true); // the first token of a server
    const { token: alice, row: aliceRow } = await createApiToken(t.db, "alice");
    const { token: bob } = await createApiToken(t.db, "bob");
    expect(aliceRow.admin).toBe(false);
    const aliceRun = (
      await callRoute(runs.POST, "/api/runs", postJson({ name: "alice's", model: tiny }, bearer(alice)))
    ).body;
    expect(aliceRun.owner).toBe(aliceRow.id);

    const patch = (id: string, body: unknown, token: string) =>
      callRoute(one.PATCH, `/api/runs/${id}`, {
        method: "PATCH",
        headers: { ...json, ...bearer(token) },
        params: { id },
        body: JSON.stringify(body),
      });
    const upload = (id: string, token: string, body = '{"layer": 0, "experts": [0, 1]}\n') =>
      callRoute(traces.POST, `/api/runs/${id}/traces`, {
        method: "POST",
        headers: bearer(token),
        params: { id },
        body,
      });

    // Bob can read alice's public run but not change it in any way.
    for (const body of [
      { name: "bob was here" },
      { description: "rewritten" },
      { tags: ["x"] },
      { visibility: "private" },
    ]) {
      const res = await patch(aliceRun.id, body, bob);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.error.message).toMatch(/belongs to another token/);
    }
    expect((await upload(aliceRun.id, bob)).status).toBe(403);
    const after = (await callRoute(one.GET, `/api/runs/${aliceRun.id}`, { params: { id: aliceRun.id } })).body;
    expect(after).toMatchObject({ name: "alice's", description: "", tags: [], visibility: "public", events: 0 });
    // Alice can; so can an admin.
    expect((await patch(aliceRun.id, { name: "alice's run" }, alice)).status).toBe(200);
    expect((await upload(aliceRun.id, alice)).status).toBe(200);
    expect((await patch(aliceRun.id, { description: "checked by the admin" }, admin)).status).toBe(200);

    // The run from before tokens: no ordinary token may read, publish or claim it.
    expect(
      (await callRoute(one.GET, `/api/runs/${legacy.id}`, { params: { id: legacy.id }, headers: bearer(bob) })).status,
    ).toBe(404);
    expect((await patch(legacy.id, { visibility: "public" }, bob)).status).toBe(404);
    expect((await patch(legacy.id, { owner: aliceRow.id }, alice)).status).toBe(404);
    expect(
      (await callRoute(one.GET, `/api/runs/${legacy.id}`, { params: { id: legacy.id }, headers: bearer(admin) })).body
        .visibility,
    ).toBe("private");
    // Giving an owner is an admin action, checked.
    expect((await patch(aliceRun.id, { owner: null }, alice)).status).toBe(403);
    expect((await patch(legacy.id, { owner: "no-such-token" }, admin)).body.error.code).toBe("unknown_token");
    const adopted = await patch(legacy.id, { owner: aliceRow.id }, admin);
    expect(adopted.status).toBe(200);
    expect(adopted.body.owner).toBe(aliceRow.id);
    expect((await patch(legacy.id, { visibility: "public" }, alice)).status).toBe(200);
    expect((await upload(legacy.id, bob)).status).toBe(403);
  });
});

describe("privacy of derived records (every endpoint that lists or returns them)", () => {
  const t = useRouteDatabase("pglite");

  it("shows pruning runs, keep-masks, quantization results and shares of a private run exactly where the run is visible", async () => {
    const runs = await import("@/app/api/runs/route");
    const one = await import("@/app/api/runs/[id]/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const pruningList = await import("@/app/api/pruning-runs/route");
    const pruningOne = await import("@/app/api/pruning-runs/[id]/route");
    const keepMask = await import("@/app/api/pruning-runs/[id]/keep-mask/route");
    const pruningCompare = await import("@/app/api/pruning-runs/compare/route");
    const quantList = await import("@/app/api/quant-results/route");
    const quantOne = await import("@/app/api/quant-results/[id]/route");
    const expert = await import("@/app/api/runs/[id]/experts/[expert]/route");
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");
    await createApiToken(t.db, "admin");
    const { token: owner } = await createApiToken(t.db, "owner");
    const { token: other } = await createApiToken(t.db, "other");
    const model = { preset: "mixtral-8x7b" };
    const secret = (
      await callRoute(runs.POST, "/api/runs", postJson({ name: "secret", model, visibility: "private" }, bearer(owner)))
    ).body;
    const open = (await callRoute(runs.POST, "/api/runs", postJson({ name: "open", model }, bearer(owner)))).body;
    const trace = Array.from({ length: 32 }, (_, l) =>
      JSON.stringify({ layer: l, experts: [l % 8, (l + 1) % 8], weights: [0.6, 0.4] }),
    ).join("\n");
    for (const r of [secret, open])
      expect(
        (
          await callRoute(traces.POST, `/api/runs/${r.id}/traces`, {
            method: "POST",
            headers: bearer(owner),
            params: { id: r.id },
            body: trace,
          })
        ).status,
      ).toBe(200);

    const dropped = Array.from({ length: 32 }, () => [3]);
    const prune = (runId: string) =>
      callRoute(
        pruningList.POST,
        "/api/pruning-runs",
        postJson(
          {
            name: `pruned ${runId}`,
            model,
            criterion: "EUF",
            schedule: "one-shot",
            runId,
            steps: [{ droppedPercent: 12.5, dropped }],
          },
          bearer(owner),
        ),
      );
    const pSecret = (await prune(secret.id)).body;
    const pOpen = (await prune(open.id)).body;
    const quant = (fields: Record<string, string>) =>
      callRoute(
        quantList.POST,
        "/api/quant-results",
        postJson(
          { name: `q ${JSON.stringify(fields)}`, model, method: "RTN", bits: { attention: 4, experts: 2 }, ...fields },
          bearer(owner),
        ),
      );
    const qSecret = (await quant({ runId: secret.id })).body;
    const qPaired = (await quant({ fpRunId: open.id, quantRunId: secret.id })).body;
    const qOpen = (await quant({ runId: open.id })).body;
    const shareOf = async (p: string) =>
      (await callRoute(shares.POST, "/api/shares", postJson({ path: p }, bearer(owner)))).body.id as string;
    const sSecret = await shareOf(`/runs/${secret.id}/experts/3`);
    const sCompare = await shareOf(`/compare?a=${open.id}&b=${secret.id}`);
    const sOpen = await shareOf(`/runs/${open.id}/experts/3`);

    type Who = Record<string, string>;
    const anonymous: Who = {};
    const stranger = bearer(other);
    const mine = bearer(owner);
    const ids = async (who: Who) => ({
      pruning: (await callRoute(pruningList.GET, "/api/pruning-runs", { headers: who })).body.pruningRuns.map(
        (p: { id: string }) => p.id,
      ),
      quant: (await callRoute(quantList.GET, "/api/quant-results", { headers: who })).body.quantResults.map(
        (q: { id: string }) => q.id,
      ),
      // The expert page of a public run lists the stored results about its expert, of any run of the model.
      expertPruning: (
        await callRoute(expert.GET, `/api/runs/${open.id}/experts/3`, {
          params: { id: open.id, expert: "3" },
          headers: who,
        })
      ).body.pruning.map((p: { id: string }) => p.id),
      expertBits: (
        await callRoute(expert.GET, `/api/runs/${open.id}/experts/3`, {
          params: { id: open.id, expert: "3" },
          headers: who,
        })
      ).body.bits.map((q: { id: string }) => q.id),
    });
    const status = async (who: Who) => ({
      pruning: (await callRoute(pruningOne.GET, "", { params: { id: pSecret.id }, headers: who })).status,
      keepMask: (
        await callRoute(keepMask.GET, `/api/pruning-runs/${pSecret.id}/keep-mask`, {
          params: { id: pSecret.id },
          headers: who,
        })
      ).status,
      compare: (
        await callRoute(pruningCompare.GET, `/api/pruning-runs/compare?ids=${pOpen.id},${pSecret.id}`, { headers: who })
      ).status,
      quant: (await callRoute(quantOne.GET, "", { params: { id: qSecret.id }, headers: who })).status,
      quantPaired: (await callRoute(quantOne.GET, "", { params: { id: qPaired.id }, headers: who })).status,
      share: (await callRoute(share.GET, "", { params: { id: sSecret }, headers: who })).status,
      shareCompare: (await callRoute(share.GET, "", { params: { id: sCompare }, headers: who })).status,
    });

    for (const who of [anonymous, stranger]) {
      const seen = await ids(who);
      expect(seen.pruning).toEqual([pOpen.id]);
      expect(seen.quant).toEqual([qOpen.id]);
      expect(seen.expertPruning).toEqual([pOpen.id]);
      expect(seen.expertBits).toEqual([qOpen.id]);
      const st = await status(who);
      expect(
        Object.values(st).every((s) => s === 404 || s === 400),
        JSON.stringify(st),
      ).toBe(true);
      expect(st.compare).toBe(400); // "no pruning run <id>": the same answer as for an id that does not exist
      // The public run's share also pinned only what everyone may see.
      const pinned = (await callRoute(share.GET, "", { params: { id: sOpen }, headers: who })).body.snapshot.queries[0]
        .data;
      expect(pinned.pruning.map((p: { id: string }) => p.id)).toEqual([pOpen.id]);
    }
    const ownView = await ids(mine);
    expect(ownView.pruning.sort()).toEqual([pSecret.id, pOpen.id].sort());
    expect(ownView.quant.sort()).toEqual([qSecret.id, qPaired.id, qOpen.id].sort());
    expect(ownView.expertPruning.sort()).toEqual([pSecret.id, pOpen.id].sort());
    expect(Object.values(await status(mine)).every((s) => s === 200)).toBe(true);

    // Unlisted: readable by id, still not listed; public: everywhere.
    const setVisibility = (visibility: string) =>
      callRoute(one.PATCH, `/api/runs/${secret.id}`, {
        method: "PATCH",
        headers: { ...json, ...mine },
        params: { id: secret.id },
        body: JSON.stringify({ visibility }),
      });
    await setVisibility("unlisted");
    expect((await ids(anonymous)).pruning).toEqual([pOpen.id]);
    expect(Object.values(await status(anonymous)).every((s) => s === 200)).toBe(true);
    await setVisibility("public");
    expect((await ids(anonymous)).pruning.sort()).toEqual([pSecret.id, pOpen.id].sort());
  });
});

describe("public URLs and cookies", () => {
  const t = useRouteDatabase("pglite");

  it("share links name ATLAS_PUBLIC_URL, else the host the request came to, never a localhost default", async () => {
    const runs = await import("@/app/api/runs/route");
    const shares = await import("@/app/api/shares/route");
    const run = (await callRoute(runs.POST, "/api/runs", postJson({ name: "r", model: tiny }))).body;
    const share = async (headers: Record<string, string>) =>
      (await callRoute(shares.POST, "/api/shares", postJson({ path: `/runs/${run.id}` }, headers))).body.url as string;
    expect(await share({ host: "atlas.lab.example:8443" })).toMatch(
      /^http:\/\/atlas\.lab\.example:8443\/s\/[a-z0-9]{10}$/,
    );
    // A proxy's forwarded host and scheme count only when trusted.
    const forwarded = { host: "127.0.0.1:3000", "x-forwarded-host": "atlas.lab.example", "x-forwarded-proto": "https" };
    expect(await share(forwarded)).toMatch(/^http:\/\/127\.0\.0\.1:3000\/s\//);
    process.env.ATLAS_TRUST_PROXY = "1";
    try {
      expect(await share(forwarded)).toMatch(/^https:\/\/atlas\.lab\.example\/s\//);
    } finally {
      delete process.env.ATLAS_TRUST_PROXY;
    }
    process.env.ATLAS_PUBLIC_URL = "https://moe.example.org";
    try {
      expect(await share({ host: "10.0.0.7:3000" })).toMatch(/^https:\/\/moe\.example\.org\/s\//);
    } finally {
      delete process.env.ATLAS_PUBLIC_URL;
    }
  });

  it("opens the share of a run compared with itself (a run counted once among those it shows)", async () => {
    const runs = await import("@/app/api/runs/route");
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");
    const run = (await callRoute(runs.POST, "/api/runs", postJson({ name: "self", model: tiny }))).body;
    const made = await callRoute(shares.POST, "/api/shares", postJson({ path: `/compare?a=${run.id}&b=${run.id}` }));
    expect(made.status).toBe(201);
    const got = await callRoute(share.GET, "", { params: { id: made.body.id } });
    expect(got.status).toBe(200);
    expect(got.body.snapshot.runIds).toEqual([run.id]);
  });

  it("sets the session cookie Secure over https, directly or behind a trusted proxy", async () => {
    const session = await import("@/app/api/session/route");
    const { token } = await createApiToken(t.db, "browser");
    const signIn = async (url: string, headers: Record<string, string> = {}) => {
      const res = await session.POST(
        new Request(url, { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify({ token }) }),
        { params: Promise.resolve({}) as Promise<never> },
      );
      expect(res.status).toBe(200);
      return res.headers.get("set-cookie")!;
    };
    expect(await signIn("http://atlas.test/api/session")).not.toMatch(/Secure/);
    expect(await signIn("https://atlas.test/api/session")).toMatch(/; Secure$/);
    expect(await signIn("http://atlas.test/api/session", { "x-forwarded-proto": "https" })).not.toMatch(/Secure/);
    process.env.ATLAS_TRUST_PROXY = "1";
    try {
      const cookie = await signIn("http://atlas.test/api/session", { "x-forwarded-proto": "https" });
      expect(cookie).toMatch(/^atlas_token=mat_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    } finally {
      delete process.env.ATLAS_TRUST_PROXY;
    }
  });
});
