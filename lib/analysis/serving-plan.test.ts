import { describe, expect, it } from "vitest";
import { eplbLayer } from "./eplb";
import {
  allToAllSeconds,
  ctOnEvents,
  ctPairwise,
  gpuLoads,
  optimizeLayer,
  replicaShares,
  tokenStatistics,
  trivialPlan,
  type LayerPlan,
  type PlanShape,
} from "./serving-plan";

const tokens = (sets: number[][], k: number) => {
  const ids = new Int16Array(sets.length * k).fill(-1);
  sets.forEach((s, t) => s.forEach((e, a) => (ids[t * k + a] = e)));
  return { ids, k, count: sets.length };
};

describe("serving plans: loads, C_T with replicas, our planner", () => {
  const shape: PlanShape = { experts: 4, slots: 6, gpus: 2, nodes: 1 };

  it("splits an expert's load evenly over its replicas", () => {
    // Slots: GPU 0 = 0, 0, 2; GPU 1 = 1, 1, 3 -> expert 0 (load 6, 2 replicas) puts 3 + 3 on GPU 0.
    const phy2log = Int32Array.from([0, 0, 2, 1, 1, 3]);
    expect(gpuLoads(phy2log, Int32Array.from([2, 2, 1, 1]), [6, 4, 2, 1], shape)).toEqual([8, 5]);
  });

  it("counts the expected GPUs a token reaches when each expert picks a replica uniformly", () => {
    // Expert 0 on both GPUs, expert 1 on GPU 1 only: {0,1} reaches GPU 1 surely, GPU 0 with 1/2.
    const phy2log = Int32Array.from([0, 2, 3, 0, 1, 1]);
    const x = replicaShares(phy2log, shape, "gpu");
    expect(ctOnEvents(tokens([[0, 1]], 2), x, 4, 2)).toBeCloseTo(1.5, 12);
    // Three experts: 0 (1/2, 1/2), 2 on GPU 0, 3 on GPU 0: GPU 0 surely, GPU 1 with 1/2.
    expect(ctOnEvents(tokens([[0, 2, 3]], 3), x, 4, 2)).toBeCloseTo(1.5, 12);
    // Without replicas: exactly the distinct devices.
    const plain = Int32Array.from([0, 1, 2, 3]);
    const x1 = replicaShares(plain, { experts: 4, slots: 4, gpus: 2, nodes: 1 }, "gpu");
    expect(
      ctOnEvents(
        tokens(
          [
            [0, 1],
            [0, 2],
          ],
          2,
        ),
        x1,
        4,
        2,
      ),
    ).toBe(1.5);
  });

  it("matches the events exactly from co-activation for top-2, and bounds it from below beyond", () => {
    const sets2 = [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [0, 3],
    ];
    const phy2log = Int32Array.from([0, 1, 2, 0, 3, 1]);
    const x = replicaShares(phy2log, shape, "gpu");
    const s2 = tokenStatistics(tokens(sets2, 2), 4);
    expect(ctPairwise(s2.coactivation, s2.load, 5, x, 4, 2)).toBeCloseTo(ctOnEvents(tokens(sets2, 2), x, 4, 2)!, 12);
    const sets3 = [
      [0, 1, 2],
      [1, 2, 3],
      [0, 2, 3],
    ];
    const s3 = tokenStatistics(tokens(sets3, 3), 4);
    expect(ctPairwise(s3.coactivation, s3.load, 3, x, 4, 2)!).toBeLessThanOrEqual(
      ctOnEvents(tokens(sets3, 3), x, 4, 2)! + 1e-12,
    );
  });

  it("never exceeds EPLB's max GPU load and lowers C_T over nodes on planted pairs", () => {
    // 16 experts in pairs (2i, 2i+8) always routed together; 4 GPUs on 2 nodes, 20 slots.
    const sets: number[][] = [];
    for (let i = 0; i < 8; i++) for (let r = 0; r < 10 + 3 * i; r++) sets.push([i, i + 8]);
    const ts = tokens(sets, 2);
    const st = tokenStatistics(ts, 16);
    const s: PlanShape = { experts: 16, slots: 20, gpus: 4, nodes: 2 };
    const eplb = eplbLayer(st.load, 20, 1, 1, 4);
    const ours = optimizeLayer(st.load, st.coactivation, eplb, s, { tokens: ts });
    const maxOf = (p: LayerPlan) => Math.max(...gpuLoads(p.phy2log, p.logcnt, st.load, s));
    expect(maxOf(ours)).toBeLessThanOrEqual(maxOf(eplb) + 1e-9);
    const node = (p: LayerPlan) => ctOnEvents(ts, replicaShares(p.phy2log, s, "node"), 16, 2)!;
    expect(node(ours)).toBeLessThan(node(eplb));
    expect([...ours.phy2log].sort((a, b) => a - b)).toEqual([...eplb.phy2log].sort((a, b) => a - b));
  });

  it("puts the trivial placement's slot p on expert p mod E", () => {
    expect(Array.from(trivialPlan(shape).phy2log)).toEqual([0, 1, 2, 3, 0, 1]);
  });

  it("prices IB copies per remote node and NVLink copies per GPU, both ways", () => {
    const s = { experts: 256, slots: 288, gpus: 32, nodes: 4 };
    const cost = {
      hidden: 7168,
      dtypeBytes: 2,
      nvlinkBytesPerSecond: 450e9,
      ibBytesPerSecond: 50e9,
      tokensPerGpu: 4096,
    };
    const r = allToAllSeconds(8, 4, s, cost);
    const bytes = 7168 * 2;
    expect(r.seconds).toBeCloseTo(2 * 4096 * bytes * ((4 * 0.75) / 50e9 + (8 * (1 - 4 / 32)) / 450e9), 15);
    expect(allToAllSeconds(8, 1, { ...s, nodes: 1 }, cost).ibBytesPerToken).toBe(0);
  });
});
