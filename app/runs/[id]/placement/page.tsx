import type { Metadata } from "next";
import { pageRunOrNull } from "@/lib/auth/page-viewer";
import { loadLiveView } from "@/lib/views/live-view";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { LiveView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const run = await pageRunOrNull(id);
  return { title: run ? `${run.name} · placement` : "Run not found" };
}

/** V6: how many devices a token's all-to-all reaches under each placement, and what C2R or device-limited routing would change. The searches and simulations are asked for by the browser (they take long on big runs); why Simulate is disabled, if it is, comes with the page. Its answers are prefetched as the view registry lists them. */
export default async function PlacementPage({ params, searchParams }: Props) {
  const { id } = await params;
  const live = await loadLiveView("placement", { runId: id }, await searchParams);
  return <LiveView component={VIEW_COMPONENTS.placement} {...live} />;
}
