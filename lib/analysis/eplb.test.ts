import { describe, expect, it } from "vitest";
import { balancedPacking, eplbLayer, eplbPolicy, logToPhy, replicateExperts } from "./eplb";

describe("EPLB (DeepSeek's rebalance_experts), one layer at a time", () => {
  // The example of the EPLB README: 2 layers of 12 experts, 16 slots, 4 groups, 2 nodes, 8 GPUs.
  const weight = [
    [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
    [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
  ];
  const published = [
    [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
    [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1],
  ];

  it("reproduces the README's published phy2log exactly (hierarchical policy)", () => {
    expect(eplbPolicy(4, 2)).toBe("hierarchical");
    weight.forEach((w, l) => expect(Array.from(eplbLayer(w, 16, 4, 2, 8).phy2log)).toEqual(published[l]));
  });

  it("gives log2phy and logcnt consistent with phy2log, replica ranks 0..c-1", () => {
    const r = eplbLayer(weight[0], 16, 4, 2, 8);
    const l2p = logToPhy(r, 12, 2);
    for (let e = 0; e < 12; e++) {
      const slots = l2p[e].filter((p) => p >= 0);
      expect(slots.length).toBe(r.logcnt[e]);
      for (const p of slots) expect(r.phy2log[p]).toBe(e);
    }
    // Experts 5 (165), 10 (183), 4 (104), 1 (132): the four heaviest per replica get the redundant slots.
    expect([...r.logcnt].map((c, e) => (c > 1 ? e : -1)).filter((e) => e >= 0)).toEqual([1, 4, 5, 10]);
  });

  it("replicates the largest load per replica, the lowest index among ties", () => {
    const r = replicateExperts(Float32Array.from([10, 10, 4]), 5);
    // 10/1 vs 10/1: expert 0 first; then 10/1 (expert 1) beats 10/2; then 5 = 5 (experts 0 and 1 at 10/2): expert 0.
    expect(Array.from(r.phy2log)).toEqual([0, 1, 2, 0, 1]);
    expect(Array.from(r.rank)).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(r.logcnt)).toEqual([2, 2, 1]);
  });

  it("packs heaviest first to the lightest pack with room, equal weights by index, equal packs by index", () => {
    const { pack, rankInPack } = balancedPacking(Float32Array.from([5, 5, 3, 1]), 2);
    // 5 (item 0) -> pack 0; 5 (item 1) -> pack 1; 3 -> pack 0 (5 = 5, lowest index); 1 -> pack 1 (room).
    expect(Array.from(pack)).toEqual([0, 1, 0, 1]);
    expect(Array.from(rankInPack)).toEqual([0, 0, 1, 1]);
  });

  it("uses the global policy when the nodes do not divide the groups", () => {
    expect(eplbPolicy(3, 2)).toBe("global");
    const w = [9, 1, 1, 1, 1, 1];
    const global = eplbLayer(w, 8, 3, 2, 4);
    expect(Array.from(global.phy2log)).toEqual(Array.from(eplbLayer(w, 8, 1, 1, 4).phy2log));
    // 8 slots: expert 0 gets 3 replicas (9/3 = 3 > 1); GPU loads 3+1, 3+1, 3+1, 1+1.
    expect(global.logcnt[0]).toBe(3);
  });
});
