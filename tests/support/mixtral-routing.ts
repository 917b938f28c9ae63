import fs from "node:fs";
import { accumulateTopK, emptyLayerAggregate, type LayerAggregate } from "@/lib/analysis/layer-aggregate";

/**
 * Per-layer aggregates of a real Mixtral-8x7B routing log in ../shared/data/real (one event per
 * line, top-2 of 8 experts, 32 layers), counted with the ingest's own accumulateTopK.
 */
export function mixtralAggregates(file: string): LayerAggregate[] {
  const layers = Array.from({ length: 32 }, () => emptyLayerAggregate(8));
  const events = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { layer: number; experts: number[] });
  accumulateTopK(
    layers,
    events.length,
    2,
    events.map((e) => e.layer),
    events.flatMap((e) => e.experts),
    null,
  );
  return layers;
}
