import { describe, expect, it } from "vitest";
import { sortExperts } from "./expert-table-sort";

const row = (expert: number, load: number, entropy: number | null, kl: number | null) => ({
  expert,
  load,
  loadShare: load / 10,
  collaborationEntropy: entropy,
  topCoverage: entropy === null ? null : 1 - entropy / 10,
  labelKl: kl,
});

describe("sortExperts", () => {
  const rows = [row(0, 3, 1.5, 0.2), row(1, 5, null, null), row(2, 3, 0.5, 0.9), row(3, 0, 2, 0)];
  const ids = (r: { expert: number }[]) => r.map((x) => x.expert);

  it("orders by load either way, ties by expert id ascending", () => {
    expect(ids(sortExperts(rows, "load", "desc"))).toEqual([1, 0, 2, 3]);
    expect(ids(sortExperts(rows, "load", "asc"))).toEqual([3, 0, 2, 1]);
    expect(ids(sortExperts(rows, "share", "desc"))).toEqual([1, 0, 2, 3]);
  });

  it("puts unknown values last in both directions", () => {
    expect(ids(sortExperts(rows, "entropy", "asc"))).toEqual([2, 0, 3, 1]);
    expect(ids(sortExperts(rows, "entropy", "desc"))).toEqual([3, 0, 2, 1]);
    expect(ids(sortExperts(rows, "kl", "desc"))).toEqual([2, 0, 3, 1]);
    expect(ids(sortExperts(rows, "coverage", "desc"))).toEqual([2, 0, 3, 1]);
  });

  it("does not reorder its input", () => {
    sortExperts(rows, "expert", "desc");
    expect(ids(rows)).toEqual([0, 1, 2, 3]);
    expect(ids(sortExperts(rows, "expert", "desc"))).toEqual([3, 2, 1, 0]);
  });
});
