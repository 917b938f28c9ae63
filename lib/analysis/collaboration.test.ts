import { describe, expect, it } from "vitest";
import { collaboration, meanCollaborationEntropy } from "./collaboration";
import { labelSpecialization } from "./specialization";
import { nextLayerPredictability } from "./transitions";

describe("collaboration (A3)", () => {
  // Expert 0 co-activates with 1 (3 times) and 2 (1 time); 3 never co-activates.
  const C = [0, 3, 1, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];

  it("row-normalizes, takes the entropy in nats and the Top-T list with its coverage", () => {
    const [e0, e1, , e3] = collaboration(C, 4, 1);
    // p = (3/4, 1/4): H = -(0.75 ln 0.75 + 0.25 ln 0.25)
    expect(e0.entropy).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 12);
    expect(e0.topCollaborators).toEqual([{ expert: 1, count: 3, share: 0.75 }]);
    expect(e0.topCoverage).toBe(0.75);
    expect(e1.entropy).toBe(0); // only ever with expert 0: fully specialized
    expect(e3.entropy).toBeNull();
    expect(e3.topCoverage).toBeNull();
  });

  it("breaks ties by id and averages only experts that co-activated", () => {
    const tie = collaboration([0, 2, 2, 2, 0, 0, 2, 0, 0], 3, 2);
    expect(tie[0].topCollaborators.map((c) => c.expert)).toEqual([1, 2]);
    expect(tie[0].entropy).toBeCloseTo(Math.log(2), 12);
    expect(meanCollaborationEntropy(C, 4)).toBeCloseTo((collaboration(C, 4, 0)[0].entropy! + 0 + 0) / 3, 12);
  });
});

describe("next-layer predictability (A7)", () => {
  it("is how often each expert's most likely successor is really selected", () => {
    // load: expert 0 selected 4 times, 1 twice; T[0] = [3, 1], T[1] = [1, 2].
    const r = nextLayerPredictability([3, 1, 1, 2], [4, 2], 2);
    expect(r.perExpert).toEqual([
      { expert: 0, next: 0, hitRate: 0.75 },
      { expert: 1, next: 1, hitRate: 1 },
    ]);
    expect(r.predictability).toBeCloseTo(5 / 6, 12);
    expect(nextLayerPredictability([0, 0, 0, 0], [0, 0], 2).predictability).toBeNull();
  });
});

describe("label specialization (A8)", () => {
  it("gives p(label | e), the overall mix and the KL of each expert from it", () => {
    // code: [3, 1], math: [1, 3]; mix = (1/2, 1/2)
    const s = labelSpecialization(
      ["code", "math"],
      [
        [3, 1],
        [1, 3],
      ],
      2,
    );
    expect(s.mix).toEqual({ code: 0.5, math: 0.5 });
    expect(s.perExpert[0].labelMix).toEqual({ code: 0.75, math: 0.25 });
    expect(s.perExpert[0].kl).toBeCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 12);
    expect(s.shares.code).toEqual([0.75, 0.25]);
    expect(s.uniformShare).toBe(0.5);
  });
});
