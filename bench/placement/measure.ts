/**
 * MoE Atlas's side of bench/placement, one measurement per process (bundled with esbuild by run.ts):
 *   node measure.mjs sim DIR NAME '{"kind":"c2r","topT":3,"ctDevices":4}'
 *   node measure.mjs sim DIR NAME '{"kind":"device-limited","devices":4,"maxDevices":1,"ctDevices":4}'
 *   node measure.mjs sim DIR NAME '{"kind":"drop","ctDevices":4}'
 *   node measure.mjs place DIR NAME DEVICES
 * Prints one JSON line: timings and the results run.ts compares with the numpy reference.
 * Reading the files is not timed; simulations go in batches of 65,536 events like the stored chunks.
 */
import fs from "node:fs";
import path from "node:path";
import {
  contiguousPlacement,
  colocatedPairs,
  deviceOf,
  roundRobinPlacement,
  type Placement,
} from "@/lib/analysis/placement";
import { greedyPlacement, optimizePlacement } from "@/lib/analysis/placement-search";
import {
  newSimulationState,
  simulateBatch,
  topCollaborators,
  type SimModel,
  type SimulationSpec,
} from "@/lib/analysis/simulate-routing";

const BATCH = 65536;
const [mode, dir, name, arg] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(path.join(dir, "meta.json"), "utf8"));

function read<T>(file: string, Ctor: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }): T {
  const b = fs.readFileSync(path.join(dir, file));
  // Copy into a fresh, aligned buffer (readFileSync may hand back a pooled slice).
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return new Ctor(ab, 0, b.byteLength / Ctor.BYTES_PER_ELEMENT);
}

function sim() {
  const m = meta.routing[name];
  const p = JSON.parse(arg);
  const { layers: L, experts: E, topK: K, events: N } = m;
  const model: SimModel = { layers: L, experts: E, topK: K, renormalize: m.renormalize, router: m.router };
  const logits = read(`${name}-logits.f32`, Float32Array);
  const ids = read(`${name}-ids.i16`, Int16Array);
  const layer = read(`${name}-layer.u16`, Uint16Array);
  let collabSeconds = 0;
  let collab: number[] = [];
  let spec: SimulationSpec;
  if (p.kind === "c2r") {
    const co = read(`${name}-coact.f64`, Float64Array);
    const t0 = performance.now();
    const lists = Array.from({ length: L }, (_, l) =>
      topCollaborators(co.subarray(l * E * E, (l + 1) * E * E), E, p.topT),
    );
    collabSeconds = (performance.now() - t0) / 1000;
    collab = lists.flatMap((x) => Array.from(x));
    spec = { kind: "c2r", topT: p.topT, collaborators: lists };
  } else if (p.kind === "device-limited") {
    spec = { kind: "device-limited", devices: p.devices, maxDevices: p.maxDevices };
  } else {
    const d = read(`${name}-drop.u8`, Uint8Array);
    spec = { kind: "drop", dropped: Array.from({ length: L }, (_, l) => d.slice(l * E, (l + 1) * E)) };
  }
  // C_T after, on the contiguous placement over ctDevices, as runSimulation counts it.
  const devOf = Array.from({ length: L }, () => deviceOf(contiguousPlacement(E, p.ctDevices), E));
  const state = newSimulationState(model, devOf, p.ctDevices);
  const t0 = performance.now();
  for (let at = 0; at < N; at += BATCH) {
    const n = Math.min(BATCH, N - at);
    simulateBatch(
      state,
      spec,
      model,
      n,
      layer.subarray(at, at + n),
      ids.subarray(at * K, (at + n) * K),
      logits.subarray(at * E, (at + n) * E),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const coSum: number[] = [];
  const coCheck: number[] = [];
  for (const agg of state.layers) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < E * E; i++) {
      s += agg.coactivation[i];
      c += agg.coactivation[i] * ((i % 97) + 1);
    }
    coSum.push(s);
    coCheck.push(c);
  }
  console.log(
    JSON.stringify({
      seconds,
      collabSeconds,
      events: N,
      tokens: Array.from(state.tokens),
      flipped: Array.from(state.flipped),
      massNew: Array.from(state.massNew),
      massOld: Array.from(state.massOld),
      load: state.layers.flatMap((a) => Array.from(a.load)),
      weightSum: state.layers.flatMap((a) => Array.from(a.weightSum)),
      coSum,
      coCheck,
      reached: Array.from(state.ctAfter.reached),
      collab,
    }),
  );
}

function place() {
  const D = Number(arg);
  const { experts: E, layers: L } = meta.placement[name] ?? meta.routing[name];
  const co = read(`${name}-coact.f64`, Float64Array);
  const rows = [];
  for (let l = 0; l < L; l++) {
    const C = co.subarray(l * E * E, (l + 1) * E * E);
    const t0 = performance.now();
    const greedy = greedyPlacement(C, E, D);
    const t1 = performance.now();
    const base = contiguousPlacement(E, D);
    const rr = roundRobinPlacement(E, D);
    // As lib/runs/compute-placement.ts calls it for "optimized": greedy, contiguous, round-robin starts.
    const opt = optimizePlacement(C, E, D, { starts: [greedy, base, rr] });
    const t2 = performance.now();
    const obj = (pl: Placement) => colocatedPairs(C, E, pl);
    let total = 0;
    for (let i = 0; i < E * E; i++) total += C[i];
    rows.push({
      greedyMs: t1 - t0,
      optimizeMs: t2 - t1,
      // optimized as the API computes it = greedy (its first start) + the local searches
      totalMs: t2 - t0,
      total: total / 2,
      contiguous: obj(base),
      roundRobin: obj(rr),
      greedy: obj(greedy),
      optimized: obj(opt),
      greedyPlacement: greedy,
      optimizedPlacement: opt,
    });
  }
  console.log(JSON.stringify({ layers: rows }));
}

if (mode === "sim") sim();
else if (mode === "place") place();
else throw new Error(`unknown mode ${mode}`);
