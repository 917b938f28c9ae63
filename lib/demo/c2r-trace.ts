import { newSimulationState, simulateBatch, topCollaborators } from "@/lib/analysis/simulate-routing";
import type { LayerAggregate } from "@/lib/analysis/layer-aggregate";
import { syntheticEvents, type SyntheticEvent, type SyntheticOptions } from "./synthetic-trace";

const BATCH = 4096;

/**
 * The demo's C2R run: the same synthetic tokens as the vanilla run (same sequences, positions and
 * logits, so Compare pairs every event), re-routed by collaboration-constrained routing with Top-T
 * collaborators taken from the vanilla run's co-activation: the A6 simulation of lib/analysis, so
 * simulating C2R on the vanilla run in the placement lab gives this routing.
 */
export async function* c2rJsonl(
  opts: SyntheticOptions & { router: "softmax" | "sigmoid" },
  vanilla: readonly LayerAggregate[],
  topT: number,
): AsyncGenerator<Uint8Array> {
  const { layers: L, experts: E, topK: K, renormalize } = opts.model;
  const model = { layers: L, experts: E, topK: K, renormalize, router: opts.router };
  const spec = {
    kind: "c2r" as const,
    topT,
    collaborators: vanilla.map((a) => topCollaborators(a.coactivation, E, topT)),
  };
  const state = newSimulationState(model);
  const encoder = new TextEncoder();
  let held: SyntheticEvent[] = [];
  const flush = () => {
    const n = held.length;
    const layer = Int32Array.from(held, (e) => e.layer);
    const ids = new Int16Array(n * K).fill(-1);
    const logits = new Float64Array(n * E);
    held.forEach((e, t) => {
      e.experts.forEach((x, s) => (ids[t * K + s] = x));
      logits.set(e.logits!, t * E);
    });
    const routed = simulateBatch(state, spec, model, n, layer, ids, logits);
    const lines = held.map((e, t) => {
      // The simulation's gate weights, 5 digits as the vanilla trace has them; slots are filled first.
      const slots = [...Array(K).keys()].filter((s) => routed.ids[t * K + s] >= 0);
      const experts = slots.map((s) => routed.ids[t * K + s]);
      const weights = slots.map((s) => Number(routed.weights[t * K + s].toPrecision(5)));
      return JSON.stringify({ ...e, experts, weights }) + "\n";
    });
    held = [];
    return encoder.encode(lines.join(""));
  };
  for (const ev of syntheticEvents({ ...opts, withLogits: true })) {
    held.push(ev);
    if (held.length === BATCH) yield flush();
  }
  if (held.length) yield flush();
}
