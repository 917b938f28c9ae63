import { describe, expect, it } from "vitest";
import { meanOf, sumOf } from "./stats";

describe("meanOf", () => {
  it("means the known values, leaving unknown ones out rather than counting them as 0", () => {
    expect(meanOf([1, null, 2, undefined, 6])).toBe(3);
    expect(meanOf([0, 0])).toBe(0);
  });
  it("is null when nothing is known", () => {
    expect(meanOf([])).toBeNull();
    expect(meanOf([null, undefined])).toBeNull();
  });
  it("takes any iterable, typed arrays included", () => {
    expect(meanOf(Float64Array.from([1, 2]))).toBe(1.5);
    expect(meanOf(new Set([4, null]))).toBe(4);
  });
  it("sums in order, as the reduces it replaces did", () => {
    expect(meanOf([0.1, 0.2, 0.3])).toBe((0.1 + 0.2 + 0.3) / 3);
  });
});

describe("sumOf", () => {
  it("sums the known values and is null, not 0, when none is known", () => {
    expect(sumOf([1, null, 2])).toBe(3);
    expect(sumOf([null])).toBeNull();
    expect(sumOf([0])).toBe(0);
  });
});
