import type { Metadata } from "next";
import { pageRunOrNull } from "@/lib/auth/page-viewer";
import { loadLiveView } from "@/lib/views/live-view";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { LiveView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ id: string; layer: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, layer } = await params;
  const run = await pageRunOrNull(id);
  return { title: run ? `${run.name} · layer ${layer}` : "Run not found" };
}

/** V3: the layer explorer. The server prefetches what the view registry lists (the layer, and its groups when ordered by group), so the first paint has the heatmap. */
export default async function LayerPage({ params, searchParams }: Props) {
  const { id, layer } = await params;
  const live = await loadLiveView("layer", { runId: id, layer }, await searchParams);
  return <LiveView component={VIEW_COMPONENTS.layer} {...live} />;
}
