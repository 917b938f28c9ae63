import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { getQueryClient } from "@/lib/query/query-client";
import { layerFrameQuery } from "@/lib/query/frame-queries";
import { groupsQuery } from "@/lib/query/run-queries";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { getLayerFrame } from "@/lib/runs/get-layer-frame";
import { decodeLayerFrame } from "@/lib/wire/layer-frame";
import { parseLayerViewState } from "@/lib/url/layer-view-state";
import { LayerExplorer } from "@/components/layer/layer-explorer";
import { LayerHeader } from "@/components/layer/layer-header";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string; layer: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, layer } = await params;
  const run = await pageRunOrNull(id);
  return { title: run ? `${run.name} · layer ${layer}` : "Run not found" };
}

/** V3: the layer explorer. The server prefetches the layer so the first paint has the heatmap. */
export default async function LayerPage({ params, searchParams }: Props) {
  const { id, layer: layerParam } = await params;
  const state = parseLayerViewState(await searchParams);
  const db = await getDb();
  const run = await pageRun(id);
  const layer = Number(layerParam);
  if (!Number.isInteger(layer) || layer < 0 || layer >= run.model.layers) notFound();

  const queryClient = getQueryClient();
  const { queryKey } = layerFrameQuery(id, layer, state.norm);
  // The frame decoded as the browser decodes it: exactly what the API would send, as typed arrays
  // (React's server payload carries typed arrays as binary).
  const frame = await getLayerFrame(db, run, layer, state.norm);
  queryClient.setQueryData(queryKey, decodeLayerFrame(frame.buffer as ArrayBuffer));
  // Ordered by group: the first paint is already in group order.
  if (state.order === "group") queryClient.setQueryData(groupsQuery(id, layer).queryKey, JSON.parse(JSON.stringify(await getLayerGroups(db, run, layer))));

  return (
    <div className="flex flex-col gap-4">
      <LayerHeader runId={id} runName={run.name} modelName={run.model.name} topK={run.model.topK} />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <LayerExplorer runId={id} layers={run.model.layers} />
      </HydrationBoundary>
    </div>
  );
}
