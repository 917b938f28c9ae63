/**
 * A plan in the serving engines' own formats, and back (pure: the lab builds the files in the
 * browser from the plan answer, the API builds them on request).
 *
 *  - SGLang `--init-expert-location <file>.json`: `{"physical_to_logical_map": [[...P] per layer]}`;
 *    SGLang passes the document's keys to `ExpertLocationMetadata.init_by_mapping`, so it holds that
 *    key only, and derives each expert's replicas in slot order from it.
 *  - vLLM EPLB: the three maps of its `EplbState`, `physical_to_logical_map` [L][P],
 *    `logical_to_physical_map` [L][E][max replicas] (−1 padded), `logical_replica_count` [L][E], as JSON.
 *  - TensorRT-LLM `moe_config.load_balancer` file (moe_load_balancer.yaml): `num_slots`,
 *    `initial_global_assignments` {layer index: [the logical expert of every slot, rank after rank]}
 *    and `layer_updates_per_iter: 0` (a static plan). Keys are the model's layer indices: MoE layer
 *    l is written as l + layerOffset (e.g. 3 for DeepSeek-V3, whose first 3 layers are dense).
 */
export const EXPORT_FORMATS = ["sglang", "vllm", "trtllm"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface PlanMaps {
  phy2log: number[][];
  log2phy: number[][][];
  logcnt: number[][];
}

export const EXPORT_FILES: Record<ExportFormat, { name: string; mediaType: string }> = {
  sglang: { name: "init_expert_location.json", mediaType: "application/json" },
  vllm: { name: "vllm_eplb_maps.json", mediaType: "application/json" },
  trtllm: { name: "moe_load_balancer.yaml", mediaType: "application/yaml" },
};

export function exportPlan(plan: PlanMaps, format: ExportFormat, layerOffset = 0): string {
  switch (format) {
    case "sglang":
      return JSON.stringify({ physical_to_logical_map: plan.phy2log });
    case "vllm":
      return JSON.stringify({
        physical_to_logical_map: plan.phy2log,
        logical_to_physical_map: plan.log2phy,
        logical_replica_count: plan.logcnt,
      });
    case "trtllm": {
      const slots = plan.phy2log[0]?.length ?? 0;
      const lines = [`num_slots: ${slots}`, "initial_global_assignments:"];
      plan.phy2log.forEach((row, l) => lines.push(`  ${l + layerOffset}: [${row.join(", ")}]`));
      lines.push("layer_updates_per_iter: 0");
      return lines.join("\n") + "\n";
    }
  }
}

/** Each expert's slots in slot order, −1 padded to the widest: what SGLang derives from phy2log alone. */
export function replicasInSlotOrder(
  phy2log: number[][],
  experts: number,
): { log2phy: number[][][]; logcnt: number[][] } {
  const lists = phy2log.map((row) => {
    const l = Array.from({ length: experts }, () => [] as number[]);
    row.forEach((e, p) => l[e].push(p));
    return l;
  });
  const width = Math.max(1, ...lists.flat().map((x) => x.length));
  return {
    log2phy: lists.map((l) => l.map((x) => [...x, ...new Array<number>(width - x.length).fill(-1)])),
    logcnt: lists.map((l) => l.map((x) => x.length)),
  };
}

const intRow = (v: unknown, where: string): number[] => {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new Error(`${where}: not a list of integers`);
  return v as number[];
};

/** Reads an exported file back into the maps (the inverse of exportPlan; `experts` for the formats that only hold phy2log). */
export function parseExport(text: string, format: ExportFormat, experts: number, layerOffset = 0): PlanMaps {
  if (format === "sglang") {
    const doc = JSON.parse(text) as { physical_to_logical_map?: unknown };
    if (!Array.isArray(doc.physical_to_logical_map)) throw new Error("physical_to_logical_map: missing");
    const phy2log = doc.physical_to_logical_map.map((r, l) => intRow(r, `physical_to_logical_map[${l}]`));
    return { phy2log, ...replicasInSlotOrder(phy2log, experts) };
  }
  if (format === "vllm") {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const rows = (k: string) => {
      if (!Array.isArray(doc[k])) throw new Error(`${k}: missing`);
      return doc[k] as unknown[];
    };
    return {
      phy2log: rows("physical_to_logical_map").map((r, l) => intRow(r, `physical_to_logical_map[${l}]`)),
      log2phy: rows("logical_to_physical_map").map((r, l) => {
        if (!Array.isArray(r)) throw new Error(`logical_to_physical_map[${l}]: not a list`);
        return r.map((x, e) => intRow(x, `logical_to_physical_map[${l}][${e}]`));
      }),
      logcnt: rows("logical_replica_count").map((r, l) => intRow(r, `logical_replica_count[${l}]`)),
    };
  }
  // The YAML this module writes: flow sequences of integers under integer keys.
  const assignments = new Map<number, number[]>();
  let slots: number | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "");
    const top = /^num_slots:\s*(\d+)\s*$/.exec(line);
    if (top) slots = Number(top[1]);
    const row = /^\s+(\d+):\s*\[([^\]]*)\]\s*$/.exec(line);
    if (row)
      assignments.set(
        Number(row[1]),
        row[2].split(",").map((x) => Number(x.trim())),
      );
  }
  const keys = [...assignments.keys()].sort((a, b) => a - b);
  const phy2log = keys.map((k) => intRow(assignments.get(k), `initial_global_assignments.${k}`));
  if (keys.some((k, i) => k !== i + layerOffset))
    throw new Error("initial_global_assignments: layers not consecutive from the offset");
  if (phy2log.some((r) => r.length !== slots))
    throw new Error("initial_global_assignments: a row is not num_slots long");
  return { phy2log, ...replicasInSlotOrder(phy2log, experts) };
}
