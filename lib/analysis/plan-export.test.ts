import { describe, expect, it } from "vitest";
import { eplbLayer, logToPhy } from "./eplb";
import { exportPlan, parseExport, replicasInSlotOrder } from "./plan-export";

const layers = [
  [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
  [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
].map((w) => eplbLayer(w, 16, 4, 2, 8));
const plan = {
  phy2log: layers.map((l) => Array.from(l.phy2log)),
  log2phy: layers.map((l) => logToPhy(l, 12, 2)),
  logcnt: layers.map((l) => Array.from(l.logcnt)),
};

describe("plan exports in the engines' formats, read back", () => {
  it("SGLang: a physical_to_logical_map document only, read back to the same slots and counts", () => {
    const text = exportPlan(plan, "sglang");
    expect(Object.keys(JSON.parse(text))).toEqual(["physical_to_logical_map"]);
    const back = parseExport(text, "sglang", 12);
    expect(back.phy2log).toEqual(plan.phy2log);
    expect(back.logcnt).toEqual(plan.logcnt);
    // SGLang lists replicas in slot order: the same sets as EPLB's rank order.
    back.log2phy.forEach((l, i) => l.forEach((r, e) => expect([...r].sort()).toEqual([...plan.log2phy[i][e]].sort())));
  });

  it("vLLM: the three EplbState maps, read back identically", () => {
    const text = exportPlan(plan, "vllm");
    expect(parseExport(text, "vllm", 12)).toEqual(plan);
  });

  it("TensorRT-LLM: num_slots, initial_global_assignments keyed by model layer, static", () => {
    const text = exportPlan(plan, "trtllm", 3);
    expect(text).toContain("num_slots: 16\n");
    expect(text).toContain(`  3: [${plan.phy2log[0].join(", ")}]`);
    expect(text).toContain("layer_updates_per_iter: 0");
    const back = parseExport(text, "trtllm", 12, 3);
    expect(back.phy2log).toEqual(plan.phy2log);
    expect(back.logcnt).toEqual(plan.logcnt);
    expect(() => parseExport(text, "trtllm", 12, 0)).toThrow(/consecutive/);
  });

  it("derives replicas in slot order, padded to the widest", () => {
    expect(replicasInSlotOrder([[1, 0, 1]], 2)).toEqual({
      log2phy: [
        [
          [1, -1],
          [0, 2],
        ],
      ],
      logcnt: [[1, 2]],
    });
  });
});
