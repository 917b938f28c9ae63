/**
 * bench/runs-table: GET /api/runs at 10,000 runs in Postgres, one sorted page at a time, for every
 * sortable column both ways, beside a reference: the same filtered list read whole (the join, every
 * visible row, as the endpoint answered before it paged) and sorted and sliced in JavaScript.
 * Reports p50/p95 of each, their ratio, and whether Postgres plans the page as an index scan.
 *
 *   url=$(scripts/pg-test-server.sh start /tmp/pg-bench 25444)
 *   ATLAS_TEST_PG=$url npx tsx bench/runs-table/run.ts [--runs 10000] [--requests 60] [--limit 50]
 *
 * The endpoint is the route handler itself (input parsing, visibility, the query, the run views),
 * called in-process as Next calls it, with NODE_ENV=production (no answer contract check, as served).
 */
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { stats } from "../explorer/stats";
import { RUN_SORTS } from "@/lib/runs/run-sorts";
import { openTestDatabase } from "@/tests/support/test-db";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    requests: { type: "string", default: "60" },
    limit: { type: "string", default: "50" },
  },
});
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);
const LIMIT = Number(values.limit);

async function main() {
  (process.env as Record<string, string>).NODE_ENV = "production";
  const t = await openTestDatabase("postgres");
  (globalThis as { __atlasDb?: Promise<unknown> }).__atlasDb = Promise.resolve(t);
  try {
    const t0 = performance.now();
    // 20 model rows (as 20 model configs would be), 10,000 runs: names, policies, tags, a series
    // for a third of them, counts, and the two summaries (a tenth without tokens: null).
    await t.db.execute(sql`
      insert into models (id, preset_id, name, layers, experts, top_k, config)
      select 'm' || i, null, 'Model ' || i, 32, 8, 2,
             jsonb_build_object('name', 'Model ' || i, 'layers', 32, 'experts', 8, 'topK', 2, 'sharedExperts', 0,
                                'router', 'softmax', 'renormalize', true)
      from generate_series(1, 20) i`);
    await t.db.execute(sql`
      insert into runs (id, name, description, tags, visibility, policy, series, step, model_id, events, tokens,
                        mean_balance, mean_collab_entropy, created_at)
      select 'r' || lpad(i::text, 8, '0'),
             (array['vanilla', 'c2r', 'pruned', 'quant', 'olmoe'])[1 + i % 5] || ' run ' || md5(i::text),
             '',
             case when i % 3 = 0 then array['demo', 'tag' || (i % 7)] when i % 3 = 1 then array['tag' || (i % 11)] else '{}' end,
             (array['public', 'public', 'public', 'public', 'public', 'public', 'public', 'public', 'unlisted', 'private'])[1 + i % 10],
             (array['vanilla', 'c2r:T=1', 'c2r:T=2', 'pruned', 'quantized:w4', 'device-limited:M=4'])[1 + i % 6],
             case when i % 3 = 0 then 'series-' || (i % 40) else null end,
             case when i % 3 = 0 then i else null end,
             'm' || (1 + i % 20),
             (i * 7919) % 5000000, (i * 104729) % 200000,
             case when i % 10 = 0 then null else ((i * 37) % 1000) / 1000.0 end,
             case when i % 10 = 0 then null else ((i * 53) % 2000) / 1000.0 end,
             now() - (i || ' minutes')::interval
      from generate_series(1, ${RUNS}) i`);
    // A token exists: the server is not open, an anonymous reader sees public runs only (the visibility filter runs).
    const { createApiToken } = await import("@/lib/db/queries/api-tokens");
    await createApiToken(t.db, "bench admin");
    await t.db.execute(sql`analyze`);
    console.log(`seeded ${RUNS} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const { GET } = await import("@/app/api/runs/route");
    const { toRunView } = await import("@/lib/runs/run-view");
    const { runVisible } = await import("@/lib/db/queries/visibility");
    const { models, runs } = await import("@/lib/db/schema");
    const { eq } = await import("drizzle-orm");
    const viewer = { open: false, tokenId: null, tokenName: null, admin: false };
    const call = async (q: string) => {
      const res = await GET(new Request(`http://atlas.bench/api/runs?${q}`), {
        params: Promise.resolve({}) as Promise<never>,
      });
      if (res.status !== 200) throw new Error(`${q}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { runs: unknown[]; total: number };
    };
    // The reference: every visible row read, then sorted and sliced here (what paging replaces).
    type Row = import("@/lib/db/queries/runs").RunWithModel;
    const keyOf: Record<(typeof RUN_SORTS)[number], (r: Row) => string | number | null> = {
      created: (r) => r.createdAt.getTime(),
      name: (r) => r.name.toLowerCase(),
      model: (r) => `${r.model.name.toLowerCase()}\u0000${r.name.toLowerCase()}`,
      policy: (r) => r.policy,
      series: (r) => (r.series === null ? null : `${r.series}\u0000${String(r.step).padStart(12, "0")}`),
      tags: (r) => r.tags.join("\u0000"),
      tokens: (r) => r.tokens,
      events: (r) => r.events,
      balance: (r) => r.meanBalance,
      entropy: (r) => r.meanCollabEntropy,
    };
    const naive = async (sort: (typeof RUN_SORTS)[number], order: "asc" | "desc", offset: number) => {
      const rows = (
        await t.db
          .select()
          .from(runs)
          .innerJoin(models, eq(runs.modelId, models.id))
          .where(runVisible(viewer, "list", sql`${runs.visibility}`, sql`${runs.ownerTokenId}`))
      ).map((r) => ({ ...r.runs, model: r.models }));
      const k = keyOf[sort];
      const dir = order === "asc" ? 1 : -1;
      rows.sort((a, b) => {
        const x = k(a);
        const y = k(b);
        if (x === y) return a.id < b.id ? -dir : dir;
        if (x === null) return 1;
        if (y === null) return -1;
        return x < y ? -dir : dir;
      });
      return { runs: rows.slice(offset, offset + LIMIT).map((r) => toRunView(r)), total: rows.length };
    };

    // Each request a page chosen from a fixed sequence: the first page half the time, else a page up to the last.
    const first = await call("limit=1");
    const pages = Math.ceil(first.total / LIMIT);
    const offsets = Array.from({ length: REQUESTS }, (_, i) => (i % 2 ? ((i * 7919) % pages) * LIMIT : 0));
    console.log(`${first.total} runs visible to an anonymous reader; pages of ${LIMIT}; ${REQUESTS} requests per case`);
    console.log(
      "sort      order  endpoint p50  p95 ms | reference p50  p95 ms | p95 ratio | plan of the page (first page)",
    );
    const rows: string[] = [];
    let worst = 0;
    for (const sort of RUN_SORTS) {
      for (const order of ["asc", "desc"] as const) {
        const ms: number[] = [];
        const ref: number[] = [];
        for (const [i, offset] of offsets.entries()) {
          // Interleaved, so both see the same load on a shared machine.
          const a = performance.now();
          const got = await call(`sort=${sort}&order=${order}&limit=${LIMIT}&offset=${offset}`);
          ms.push(performance.now() - a);
          const b = performance.now();
          const want = await naive(sort, order, offset);
          ref.push(performance.now() - b);
          if (
            i < 4 &&
            JSON.stringify(got.runs.map((r) => (r as { id: string }).id)) !== JSON.stringify(want.runs.map((r) => r.id))
          )
            throw new Error(`${sort} ${order} offset ${offset}: the endpoint and the reference disagree`);
        }
        const plan = await t.db.execute(
          sql.raw(
            `explain select * from runs join models on models.id = runs.model_id where runs.visibility = 'public' order by ${orderSql(sort, order)} limit ${LIMIT}`,
          ),
        );
        const planText = (plan as unknown as { rows: { "QUERY PLAN": string }[] }).rows
          .map((r) => r["QUERY PLAN"])
          .find((l) => /Index Scan|Seq Scan|Sort/.test(l))
          ?.trim()
          .replace(/\s+\(cost.*$/, "");
        const s = stats(ms);
        const r = stats(ref);
        worst = Math.max(worst, s.p95);
        const line = `${sort.padEnd(9)} ${order.padEnd(5)}  ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(5)}    | ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(5)}    | ${(r.p95 / s.p95).toFixed(1).padStart(6)}x   | ${planText}`;
        console.log(line);
        rows.push(line);
      }
    }
    console.log(`worst endpoint p95: ${worst.toFixed(1)} ms (target < 100 ms) ${worst < 100 ? "MET" : "MISSED"}`);
  } finally {
    await t.drop();
  }
}

/** The ORDER BY the query builds for a sort (for EXPLAIN; lib/db/queries/runs.ts is the one that runs). */
function orderSql(sort: (typeof RUN_SORTS)[number], order: "asc" | "desc") {
  const nl = ` ${order} nulls last`;
  const id = `runs.id ${order}${order === "desc" ? " nulls last" : ""}`;
  const col: Record<string, string> = {
    created: `runs.created_at ${order}, runs.id ${order}`,
    name: `lower(runs.name) ${order}, runs.id ${order}`,
    model: `lower(models.name) ${order}, lower(runs.name) ${order}, runs.id ${order}`,
    policy: `runs.policy ${order}, runs.id ${order}`,
    series: `runs.series${nl}, runs.step${nl}, ${id}`,
    tags: `runs.tags ${order}, runs.id ${order}`,
    tokens: `runs.tokens ${order}, runs.id ${order}`,
    events: `runs.events ${order}, runs.id ${order}`,
    balance: `runs.mean_balance${nl}, ${id}`,
    entropy: `runs.mean_collab_entropy${nl}, ${id}`,
  };
  return col[sort];
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
