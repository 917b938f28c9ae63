import { describe, expect, it } from "vitest";
import { describePolicy, formatPolicy, parsePolicy, policySchema } from "./run-policy";

describe("the routing policy grammar", () => {
  it("parses and writes back each kind, with its parameter", () => {
    for (const p of [
      "vanilla",
      "c2r:T=1",
      "c2r:T=12",
      "device-limited:M=4",
      "pruned",
      "pruned:keep 6 of 8",
      "quantized",
      "quantized:GPTQ 3-bit",
    ]) {
      expect(formatPolicy(parsePolicy(p)!)).toBe(p);
    }
    expect(parsePolicy("c2r:T=2")).toEqual({ kind: "c2r", n: 2 });
    expect(parsePolicy("quantized:AWQ w4")).toEqual({ kind: "quantized", note: "AWQ w4" });
  });

  it("refuses what is not one (C2R without T, T = 0, unknown kinds), naming the forms", () => {
    for (const p of [
      "c2r",
      "C2R T=2",
      "c2r:T=0",
      "c2r:T=-1",
      "device-limited",
      "device-limited:M=",
      "sparse",
      "pruned:",
      "vanilla:x",
      "",
    ]) {
      expect(parsePolicy(p), p).toBeNull();
    }
    const r = policySchema.safeParse("c2r");
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toContain("c2r:T=<n>");
    expect(policySchema.parse(" c2r:T=3 ")).toBe("c2r:T=3");
  });

  it("reads for people, and shows a stored value outside the grammar as it is", () => {
    expect(describePolicy("c2r:T=2")).toBe("C2R, T = 2");
    expect(describePolicy("device-limited:M=4")).toBe("device-limited, M = 4");
    expect(describePolicy("pruned:Min-EAN 25%")).toBe("pruned (Min-EAN 25%)");
    expect(describePolicy("vanilla")).toBe("vanilla");
    expect(describePolicy("an old free text")).toBe("an old free text");
  });
});
