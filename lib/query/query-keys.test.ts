import { describe, expect, it } from "vitest";
import { placementQuery, simulationQuery } from "./placement-queries";
import { pruningCompareQuery, pruningListQuery, quantListQuery } from "./pruning-queries";
import { queryKeys } from "./query-keys";
import {
  compareQuery,
  expertQuery,
  expertsQuery,
  flowQuery,
  groupsQuery,
  layerQuery,
  runsListQuery,
  transitionsQuery,
} from "./run-queries";

describe("the one query-key factory", () => {
  it("gives every query factory its key", () => {
    const sim = { kind: "c2r" as const, topT: 2, reportDevices: 4 };
    const pairs: [readonly unknown[], readonly unknown[]][] = [
      [layerQuery("r", 3, "lift").queryKey, queryKeys.runs.layer("r", 3, "lift")],
      [transitionsQuery("r", 3).queryKey, queryKeys.runs.transitions("r", 3)],
      [groupsQuery("r", 3).queryKey, queryKeys.runs.groups("r", 3)],
      [expertQuery("r", 5, 3).queryKey, queryKeys.runs.expert("r", 5, 3)],
      [expertsQuery("r", 1, 3).queryKey, queryKeys.runs.experts("r", 1, 3)],
      [flowQuery("r").queryKey, queryKeys.runs.flow("r")],
      [compareQuery("a", "b", 0, true).queryKey, queryKeys.compare("a", "b", 0, true)],
      [runsListQuery().queryKey, queryKeys.runs.list()],
      [placementQuery("r", 4, "greedy", 1.2).queryKey, queryKeys.runs.placement("r", 4, "greedy", null)],
      [placementQuery("r", 4, "optimized", 1.2).queryKey, queryKeys.runs.placement("r", 4, "optimized", 1.2)],
      [simulationQuery("r", sim).queryKey, queryKeys.runs.simulation("r", sim)],
      [pruningListQuery({ model: "m" }).queryKey, queryKeys.pruningRuns.list({ model: "m" })],
      [pruningCompareQuery(["x", "y"]).queryKey, queryKeys.pruningRuns.compare(["x", "y"])],
      [quantListQuery().queryKey, queryKeys.quantResults.list()],
    ];
    for (const [a, b] of pairs) expect(a).toEqual(b);
  });

  it("keeps the shapes stored shares were pinned under (a changed key would orphan their answers)", () => {
    expect(queryKeys.runs.layer("r1", 0, "lift")).toEqual(["runs", "r1", "layers", 0, "lift"]);
    expect(queryKeys.runs.groups("r1", 2)).toEqual(["runs", "r1", "layers", 2, "groups"]);
    expect(queryKeys.runs.expert("r1", 7, 3)).toEqual(["runs", "r1", "experts", 7, 3]);
    expect(queryKeys.runs.experts("r1", 1, 3)).toEqual(["runs", "r1", "experts-of-layer", 1, 3]);
    expect(queryKeys.runs.transitions("r1", 1)).toEqual(["runs", "r1", "layers", 1, "with-transitions"]);
    expect(queryKeys.runs.flow("r1")).toEqual(["runs", "r1", "flow"]);
    expect(queryKeys.compare("a", "b", 0, false)).toEqual(["compare", "a", "b", 0, false]);
    expect(queryKeys.runs.placement("r1", 4, "optimized", null)).toEqual([
      "runs",
      "r1",
      "placement",
      4,
      "optimized",
      null,
    ]);
  });

  it("is hierarchical: a run's prefix covers every answer about it", () => {
    const prefix = queryKeys.runs.one("r");
    for (const key of [
      queryKeys.runs.layer("r", 0, "raw"),
      queryKeys.runs.flow("r"),
      queryKeys.runs.simulation("r", { kind: "drop", experts: [], reportDevices: 4 }),
    ])
      expect(key.slice(0, prefix.length)).toEqual([...prefix]);
  });
});
