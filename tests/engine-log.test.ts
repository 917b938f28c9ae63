import { describe, expect, it } from "vitest";
import { callRoute, postJson, useRouteDatabase, type RouteHandler } from "./support/route-calls";
import { engineLog } from "./support/engine-log";

describe("an engine's routing log uploaded unchanged", () => {
  const t = useRouteDatabase("pglite");

  it("skips the metadata and request records, finds the profiling pass, and excludes it on request", async () => {
    const runs = (await import("@/app/api/runs/route")).POST as RouteHandler;
    const traces = (await import("@/app/api/runs/[id]/traces/route")).POST as RouteHandler;
    const layer = (await import("@/app/api/runs/[id]/layers/[layer]/route")).GET as RouteHandler;
    const { text, load, realEvents } = engineLog();
    const upload = async (id: string, q = "") =>
      callRoute(traces, `/api/runs/${id}/traces?filename=vllm.jsonl${q}`, {
        method: "POST",
        body: text,
        params: { id },
      });
    const newRun = async (name: string) =>
      (await callRoute(runs, "/api/runs", postJson({ name, model: { preset: "mixtral-8x7b" } }))).body.id as string;
    const loadsOf = async (id: string) =>
      Promise.all(
        Array.from(
          { length: 32 },
          async (_, l) =>
            (await callRoute(layer, `/api/runs/${id}/layers/${l}`, { params: { id, layer: String(l) } })).body
              .load as number[],
        ),
      );

    // Counted as is: the profiling pass is in the loads, and the warning says where it is.
    const plain = await newRun("as logged");
    const counted = await upload(plain);
    expect(counted.status).toBe(200);
    expect(counted.body.events).toBe(realEvents + 512 * 32);
    const codes = Object.fromEntries(counted.body.warnings.map((w: { code: string }) => [w.code, w]));
    expect(codes.metadata_lines.where).toMatch(/^line 1 /);
    expect(codes.non_event_lines.message).toContain('type "request_finished"');
    expect(codes.warmup_routing.message).toContain("32 layers (0–31): events 1–512 of the layer, positions 0–511");
    expect(counted.body.warmup).toMatchObject({ runCount: 32, events: 512 * 32, excluded: false });
    const inflated = await loadsOf(plain);
    expect(inflated[0][0]).toBe(load[0][0] + 512);

    // exclude_warmup=1: exactly the real events, loads equal to the plain loops.
    const clean = await newRun("warm-up excluded");
    const excluded = await upload(clean, "&exclude_warmup=1");
    expect(excluded.status).toBe(200);
    expect(excluded.body.events).toBe(realEvents);
    expect(excluded.body.warmup).toMatchObject({ runCount: 32, excluded: true });
    expect(await loadsOf(clean)).toEqual(load);

    const bad = await upload(clean, "&exclude_warmup=maybe");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_field", where: "query parameter exclude_warmup" });
  });

  it("refuses, storing nothing, a log whose metadata is of another model", async () => {
    const runs = (await import("@/app/api/runs/route")).POST as RouteHandler;
    const traces = (await import("@/app/api/runs/[id]/traces/route")).POST as RouteHandler;
    const id = (
      await callRoute(runs, "/api/runs", postJson({ name: "wrong model", model: { preset: "mixtral-8x7b" } }))
    ).body.id as string;
    const text = [
      '{"type": "meta", "model": "Qwen/Qwen3-30B-A3B", "num_experts": 128, "top_k": 8}',
      '{"layer": 0, "experts": [1, 2], "gating_probs": [0.6, 0.4]}',
    ].join("\n");
    const r = await callRoute(traces, `/api/runs/${id}/traces`, { method: "POST", body: text, params: { id } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "metadata_mismatch", where: "line 1, field num_experts" });
    const { getRun } = await import("@/lib/db/queries/runs");
    expect((await getRun(t.db, id))?.events ?? 0).toBe(0);
  });
});
