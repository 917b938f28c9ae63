import fs from "node:fs";
import { sharedFile } from "./shared-data";

/**
 * The real Mixtral-8x7B humaneval log (vLLM, one event per line) as an engine writes it whole: a
 * metadata record first, then every routing event tagged `"type": "route"`, with a profiling pass
 * of 512 dummy tokens at the start whose routing is identical in each layer (vLLM's profile run
 * feeds the same dummy token ids, so every token routes alike), and a request record at the end.
 */
export function engineLog() {
  const real = fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"), "utf8").split("\n").filter(Boolean);
  const meta = {
    type: "meta",
    engine: "vllm",
    model: "mistralai/Mixtral-8x7B-Instruct-v0.1",
    num_experts: 8,
    top_k: 2,
    num_hidden_layers: 32,
  };
  const profile: string[] = [];
  for (let t = 0; t < 512; t++) {
    for (let layer = 0; layer < 32; layer++) {
      const a = (layer * 3) % 8;
      profile.push(
        JSON.stringify({
          type: "route",
          dataset: "profile",
          problem_id: -1,
          layer,
          token_pos: t,
          experts: [a, (a + 5) % 8],
          gating_probs: [0.5322265625, 0.4677734375],
        }),
      );
    }
  }
  const routes = real.map((l) => `{"type": "route", ${l.slice(1)}`);
  const text =
    [
      JSON.stringify(meta),
      ...profile,
      ...routes,
      JSON.stringify({ type: "request_finished", request_id: 0, tokens: 212 }),
    ].join("\n") + "\n";
  // Loads of the real events alone, by plain loops over the JSONL.
  const load = Array.from({ length: 32 }, () => new Array(8).fill(0));
  for (const l of real) {
    const e = JSON.parse(l) as { layer: number; experts: number[] };
    for (const x of e.experts) load[e.layer][x]++;
  }
  return { text, load, realEvents: real.length };
}
