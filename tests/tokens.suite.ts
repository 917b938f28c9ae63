import { describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { planStructure, syntheticEvents, type SyntheticOptions } from "@/lib/demo/synthetic-trace";
import { DEMO_VOCABULARY, planTokens } from "@/lib/demo/demo-tokens";
import { callRoute, postJson, useRouteDatabase, type RouteHandler } from "./support/route-calls";

/**
 * Token statistics (issue 15) through the route handlers: planted token preferences recovered,
 * one upload = two halves = two shards, an upload delete removes exactly its part, vocabularies,
 * the token view's routes, visibility.
 */
export function tokenSuite(kind: "pglite" | "postgres") {
  describe(`token statistics (${kind})`, () => {
    const t = useRouteDatabase(kind);
    const model = {
      name: "Tok",
      layers: 4,
      experts: 16,
      topK: 2,
      sharedExperts: 0,
      router: "softmax",
      renormalize: true,
    };
    const opts: SyntheticOptions = {
      model,
      tokens: 3000,
      sequences: 6,
      seed: 7,
      withTokens: true,
      labels: ["code", "prose"],
    };
    const events = [...syntheticEvents(opts)];
    const lines = events.map((e) => JSON.stringify(e));
    const planted = planTokens(opts.seed, model.layers, model.experts, planStructure(opts).dead);

    const routes = async () => ({
      runs: (await import("@/app/api/runs/route")).POST as RouteHandler,
      traces: (await import("@/app/api/runs/[id]/traces/route")).POST as RouteHandler,
      upload: (await import("@/app/api/runs/[id]/uploads/[uploadId]/route")).DELETE as RouteHandler,
      expert: (await import("@/app/api/runs/[id]/experts/[expert]/tokens/route")).GET as RouteHandler,
      layer: (await import("@/app/api/runs/[id]/layers/[layer]/tokens/route")).GET as RouteHandler,
      search: (await import("@/app/api/runs/[id]/tokens/route")).GET as RouteHandler,
      sequences: (await import("@/app/api/runs/[id]/sequences/route")).GET as RouteHandler,
      sequence: (await import("@/app/api/runs/[id]/sequences/[seq]/route")).GET as RouteHandler,
      vocab: await import("@/app/api/runs/[id]/vocabulary/route"),
    });

    async function runWith(name: string, parts: string[][], headers: Record<string, string> = {}, extra = {}) {
      const r = await routes();
      const { body: run } = await callRoute(r.runs, "/api/runs", postJson({ name, model, ...extra }, headers));
      const uploads: string[] = [];
      for (const p of parts) {
        const up = await callRoute(r.traces, `/api/runs/${run.id}/traces`, {
          method: "POST",
          body: p.join("\n") + "\n",
          headers,
          params: { id: run.id },
        });
        expect(up.status, JSON.stringify(up.body)).toBe(200);
        uploads.push(up.body.uploadId);
      }
      return { id: run.id as string, uploads };
    }

    /**
     * The token answers of a run: each expert's tokens (by count and lift) with examples and the
     * layer's specialization, at layers 1 and 2 (either side of the shards' cut; halves cut every layer).
     */
    async function everything(id: string) {
      const r = await routes();
      const out: unknown[] = [];
      for (const layer of [1, 2]) {
        out.push(
          (
            await callRoute(r.layer, `/api/runs/${id}/layers/${layer}/tokens?limit=100`, {
              params: { id, layer: String(layer) },
            })
          ).body,
        );
        for (let e = 0; e < model.experts; e++)
          for (const by of ["count", "lift"]) {
            const res = await callRoute(
              r.expert,
              `/api/runs/${id}/experts/${e}/tokens?layer=${layer}&by=${by}&limit=100`,
              {
                params: { id, expert: String(e) },
              },
            );
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            out.push(res.body);
          }
      }
      return out;
    }

    it("recovers the planted token preferences: each planted id's most frequent expert and a top lift", async () => {
      const { id } = await runWith("planted", [lines]);
      const r = await routes();
      for (let layer = 0; layer < model.layers; layer++) {
        const spec = (
          await callRoute(r.layer, `/api/runs/${id}/layers/${layer}/tokens?limit=200&minSupport=1`, {
            params: { id, layer: String(layer) },
          })
        ).body;
        planted.ids.forEach((tok, i) => {
          const row = spec.frequentTokens.find((x: { tokenId: number }) => x.tokenId === tok);
          expect(row, `token ${tok} at layer ${layer}`).toBeDefined();
          expect(row.topExpert).toBe(planted.preferred[layer][i]);
          // top-2 of 16 with a boost of 4 noise sd: the preferred expert is in the top-k most of the time.
          expect(row.specialization).toBeGreaterThan(0.7);
          expect(row.text).toBe(DEMO_VOCABULARY[tok].replace("Ġ", " "));
        });
        for (const [i, tok] of planted.ids.entries()) {
          const e = planted.preferred[layer][i];
          const top = (
            await callRoute(r.expert, `/api/runs/${id}/experts/${e}/tokens?layer=${layer}&by=lift&limit=3`, {
              params: { id, expert: String(e) },
            })
          ).body;
          expect(
            top.tokens.map((x: { tokenId: number }) => x.tokenId),
            `expert ${e} layer ${layer}`,
          ).toContain(tok);
          expect(top.tokens[0].lift).toBeGreaterThan(2);
        }
      }
    });

    it("counts what the events say, and samples examples whose context holds the routed token", async () => {
      const { id } = await runWith("counted", [lines]);
      const r = await routes();
      const layer = 2;
      const e = 5;
      const ans = (
        await callRoute(r.expert, `/api/runs/${id}/experts/${e}/tokens?layer=${layer}&limit=1000`, {
          params: { id, expert: String(e) },
        })
      ).body;
      const mine = events.filter((x) => x.layer === layer && x.experts.includes(e));
      const want = new Map<number, number>();
      for (const x of mine) want.set(x.token_id!, (want.get(x.token_id!) ?? 0) + 1);
      expect(new Map(ans.tokens.map((x: { tokenId: number; count: number }) => [x.tokenId, x.count]))).toEqual(want);
      expect(ans.load).toBe(mine.length);
      expect(ans.tokensAtLayer).toBe(3000);
      expect(ans.coverage.evtc).toBe(want.size);
      expect(ans.examples).toHaveLength(16);
      for (const ex of ans.examples) {
        const ev = mine.find((x) => x.seq === ex.seq && x.token === ex.pos)!;
        expect(ev, `example ${ex.seq}:${ex.pos} is an occurrence of expert ${e}`).toBeDefined();
        expect(ex.tokenId).toBe(ev.token_id);
        expect(ex.weight).toBeCloseTo(ev.weights![ev.experts.indexOf(e)], 5);
        const at = ex.context.find((c: { pos: number }) => c.pos === ex.pos);
        expect(at.tokenId).toBe(ex.tokenId);
        expect(ex.context.length).toBeGreaterThan(12);
      }
      expect(ans.perLabel.map((p: { label: string }) => p.label)).toEqual(["code", "prose"]);
      expect(ans.perLabel.reduce((s: number, p: { load: number }) => s + p.load, 0)).toBe(ans.load);
      for (const p of ans.perLabel) for (const ex of p.examples) expect(ex.label).toBe(p.label);
    });

    it("gives identical statistics and example contexts for one upload, two halves and two layer shards; an upload delete removes exactly its part", async () => {
      const whole = await runWith("whole", [lines]);
      // Halves cut mid-sequence: the sequence that straddles them is rebuilt from both.
      const cut = Math.floor(lines.length / 2) + 3;
      const halves = await runWith("halves", [lines.slice(0, cut), lines.slice(cut)]);
      const shards = await runWith("shards", [
        lines.filter((_, i) => events[i].layer < 2),
        lines.filter((_, i) => events[i].layer >= 2),
      ]);
      const want = await everything(whole.id);
      expect(await everything(halves.id)).toEqual(want);
      expect(await everything(shards.id)).toEqual(want);

      // Another file in, then out: bit for bit the run without it.
      const r = await routes();
      const other = [...syntheticEvents({ ...opts, seed: 8, tokens: 400 })].map((e) =>
        JSON.stringify({ ...e, seq: e.seq + 100 }),
      );
      const up = await callRoute(r.traces, `/api/runs/${halves.id}/traces`, {
        method: "POST",
        body: other.join("\n"),
        params: { id: halves.id },
      });
      expect(up.status).toBe(200);
      expect(await everything(halves.id)).not.toEqual(want);
      const del = await callRoute(r.upload, `/api/runs/${halves.id}/uploads/${up.body.uploadId}`, {
        method: "DELETE",
        params: { id: halves.id, uploadId: up.body.uploadId },
      });
      expect(del.status, JSON.stringify(del.body)).toBe(200);
      expect(await everything(halves.id)).toEqual(want);
    });

    it("shows a sequence's tokens with their routes, searches a token, and reads an uploaded tokenizer.json", async () => {
      const { id } = await runWith("view", [lines]);
      const r = await routes();
      const seqs = (await callRoute(r.sequences, `/api/runs/${id}/sequences`, { params: { id } })).body;
      expect(seqs.sequences).toEqual(Array.from({ length: 6 }, (_, s) => ({ seq: s, length: 500 })));
      const one = (
        await callRoute(r.sequence, `/api/runs/${id}/sequences/1?from=10&limit=5`, { params: { id, seq: "1" } })
      ).body;
      expect(one.tokens.map((x: { pos: number }) => x.pos)).toEqual([10, 11, 12, 13, 14]);
      const ev = events.find((x) => x.seq === 1 && x.token === 12 && x.layer === 3)!;
      expect(one.tokens[2].tokenId).toBe(ev.token_id);
      expect(one.tokens[2].route[3].experts).toEqual(ev.experts);
      expect(one.tokens[2].route[3].weights[0]).toBeCloseTo(ev.weights![0], 5);
      const missing = await callRoute(r.sequence, `/api/runs/${id}/sequences/99`, { params: { id, seq: "99" } });
      expect(missing.status).toBe(404);

      const tok = planted.ids[0];
      const found = (
        await callRoute(
          r.search,
          `/api/runs/${id}/tokens?q=${encodeURIComponent(DEMO_VOCABULARY[tok].replace("Ġ", " "))}`,
          { params: { id } },
        )
      ).body;
      expect(found.matches.map((m: { tokenId: number }) => m.tokenId)).toEqual([tok]);
      const n = events.filter((x) => x.layer === 0 && x.token_id === tok).length;
      expect(found.matches[0].perLayer[0].count).toBe(n);
      expect(found.matches[0].perLayer[0].topExpert).toBe(planted.preferred[0][0]);
      expect(found.matches[0].perLayer[0].experts.reduce((s: number, x: { count: number }) => s + x.count, 0)).toBe(
        2 * n,
      );

      // A tokenizer.json replaces the trace's strings: byte-level pieces shown as text.
      const vocab = {
        model: {
          type: "BPE",
          vocab: Object.fromEntries(DEMO_VOCABULARY.map((t, i) => [t === "Ġthe" ? "ĠThe" : t, i])),
        },
        added_tokens: [{ id: 64, content: "<|end|>" }],
      };
      const put = await callRoute(r.vocab.PUT as RouteHandler, `/api/runs/${id}/vocabulary`, {
        method: "PUT",
        body: JSON.stringify(vocab),
        params: { id },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({ size: 65, byteLevel: true });
      expect(put.body.sample.slice(0, 2)).toEqual([
        { raw: "ĠThe", text: " The" },
        { raw: ",", text: "," },
      ]);
      const got = (await callRoute(r.vocab.GET as RouteHandler, `/api/runs/${id}/vocabulary`, { params: { id } })).body;
      expect(got).toEqual({ runId: id, source: "uploaded", size: 65, byteLevel: true });
      const ex = (
        await callRoute(r.expert, `/api/runs/${id}/experts/0/tokens?layer=0&limit=100`, { params: { id, expert: "0" } })
      ).body;
      const the = ex.tokens.find((x: { tokenId: number }) => x.tokenId === 0);
      if (the) expect(the.text).toBe(" The");
      const bad = await callRoute(r.vocab.PUT as RouteHandler, `/api/runs/${id}/vocabulary`, {
        method: "PUT",
        body: JSON.stringify({ model: { vocab: { a: -1 } } }),
        params: { id },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.where).toBe('model.vocab["a"]');
      expect(
        (await callRoute(r.vocab.GET as RouteHandler, `/api/runs/${id}/vocabulary`, { params: { id } })).body.size,
      ).toBe(65);
      const notJson = await callRoute(r.vocab.PUT as RouteHandler, `/api/runs/${id}/vocabulary`, {
        method: "PUT",
        body: "{",
        params: { id },
      });
      expect(notJson.status).toBe(400);
      expect(
        (
          await callRoute(r.vocab.DELETE as RouteHandler, `/api/runs/${id}/vocabulary`, {
            method: "DELETE",
            params: { id },
          })
        ).status,
      ).toBe(200);
      expect(
        (await callRoute(r.vocab.GET as RouteHandler, `/api/runs/${id}/vocabulary`, { params: { id } })).body.source,
      ).toBe("trace");

      const badLayer = await callRoute(r.expert, `/api/runs/${id}/experts/0/tokens?layer=9`, {
        params: { id, expert: "0" },
      });
      expect(badLayer.status).toBe(404);
      expect(badLayer.body.error.where).toBe("query parameter layer");
      const badBy = await callRoute(r.expert, `/api/runs/${id}/experts/0/tokens?layer=0&by=often`, {
        params: { id, expert: "0" },
      });
      expect(badBy.status).toBe(400);
    });

    it("keeps a private run's tokens and vocabulary private", async () => {
      const { token: owner } = await createApiToken(t.db, "tok-owner");
      const auth = { authorization: `Bearer ${owner}` };
      const { id } = await runWith("secret tokens", [lines.slice(0, 400)], auth, { visibility: "private" });
      const r = await routes();
      const calls: [RouteHandler, string, Record<string, string>][] = [
        [r.expert, `/api/runs/${id}/experts/0/tokens?layer=0`, { id, expert: "0" }],
        [r.layer, `/api/runs/${id}/layers/0/tokens`, { id, layer: "0" }],
        [r.search, `/api/runs/${id}/tokens?q=%23${planted.ids[0]}`, { id }],
        [r.sequences, `/api/runs/${id}/sequences`, { id }],
        [r.sequence, `/api/runs/${id}/sequences/0`, { id, seq: "0" }],
        [r.vocab.GET as RouteHandler, `/api/runs/${id}/vocabulary`, { id }],
      ];
      for (const [h, url, params] of calls) {
        expect((await callRoute(h, url, { params })).status, url).toBe(404);
        expect((await callRoute(h, url, { params, headers: auth })).status, url).toBe(200);
      }
      const put = await callRoute(r.vocab.PUT as RouteHandler, `/api/runs/${id}/vocabulary`, {
        method: "PUT",
        body: '["a"]',
        params: { id },
      });
      expect(put.status).toBe(401);
    });
  });
}
