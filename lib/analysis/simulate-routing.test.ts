import { describe, expect, it } from "vitest";
import { newSimulationState, simulateBatch, topCollaborators, type SimModel } from "./simulate-routing";

const model: SimModel = { layers: 1, experts: 4, topK: 2, renormalize: true, router: "softmax" };
const logits = [2, 1, 0, 3];
const z = logits.reduce((s, x) => s + Math.exp(x), 0);
const p = logits.map((x) => Math.exp(x) / z);
const oldIds = [3, 0]; // the vanilla top-2

function run(spec: Parameters<typeof simulateBatch>[1]) {
  const st = newSimulationState(model);
  simulateBatch(st, spec, model, 1, [0], oldIds, logits);
  return st;
}

describe("routing simulations (A6), by hand", () => {
  it("C2R keeps the argmax and takes the rest from its Top-T collaborators", () => {
    // Co-activation: expert 3 collaborates most with 2.
    const C = new Float64Array(16);
    C[3 * 4 + 2] = C[2 * 4 + 3] = 10;
    C[3 * 4 + 0] = C[0 * 4 + 3] = 1;
    const st = run({ kind: "c2r", topT: 1, collaborators: [topCollaborators(C, 4, 1)] });
    expect(Array.from(st.layers[0].load)).toEqual([0, 0, 1, 1]);
    expect(st.flipped[0]).toBe(1);
    expect(st.massNew[0] / st.massOld[0]).toBeCloseTo((p[3] + p[2]) / (p[3] + p[0]), 12);
    // weights renormalized over the chosen two
    expect(st.layers[0].weightSum[3]).toBeCloseTo(p[3] / (p[3] + p[2]), 6);
  });

  it("C2R refuses T < k − 1 (too few candidates for the k − 1 picks) instead of routing fewer than k", () => {
    const m4: SimModel = { layers: 1, experts: 8, topK: 4, renormalize: true, router: "softmax" };
    const st = newSimulationState(m4);
    const C = new Float64Array(64).map((_, i) => (Math.floor(i / 8) === i % 8 ? 0 : 1 + (i % 5)));
    const lg = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(() =>
      simulateBatch(
        st,
        { kind: "c2r", topT: 2, collaborators: [topCollaborators(C, 8, 2)] },
        m4,
        1,
        [0],
        [7, 6, 5, 4],
        lg,
      ),
    ).toThrow(/T = 2 .* at least k − 1/);
    simulateBatch(
      st,
      { kind: "c2r", topT: 3, collaborators: [topCollaborators(C, 8, 3)] },
      m4,
      1,
      [0],
      [7, 6, 5, 4],
      lg,
    );
    expect(st.layers[0].load.reduce((s, x) => s + x, 0)).toBe(4);
  });

  it("expert dropping re-routes over the survivors; mass is measured with the original scores", () => {
    const st = run({ kind: "drop", dropped: [Uint8Array.from([0, 0, 0, 1])] });
    expect(Array.from(st.layers[0].load)).toEqual([1, 1, 0, 0]);
    expect(st.massNew[0] / st.massOld[0]).toBeCloseTo((p[0] + p[1]) / (p[3] + p[0]), 12);
  });

  it("device-limited routing keeps the M devices with the best expert", () => {
    const st = run({ kind: "device-limited", devices: 2, maxDevices: 1 });
    expect(Array.from(st.layers[0].load)).toEqual([0, 0, 1, 1]);
    const wide = run({ kind: "device-limited", devices: 2, maxDevices: 2 });
    expect(wide.flipped[0]).toBe(0);
    expect(wide.massNew[0]).toBeCloseTo(wide.massOld[0], 12);
  });
});
