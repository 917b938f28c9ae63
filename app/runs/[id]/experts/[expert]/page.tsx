import type { Metadata } from "next";
import { pageRunOrNull } from "@/lib/auth/page-viewer";
import { loadLiveView } from "@/lib/views/live-view";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { LiveView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ id: string; expert: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, expert } = await params;
  const run = await pageRunOrNull(id);
  return { title: run ? `${run.name} · expert ${expert}` : "Run not found" };
}

/** V4: one expert across layers. Its answers are prefetched as the view registry lists them. */
export default async function ExpertPage({ params, searchParams }: Props) {
  const { id, expert } = await params;
  const live = await loadLiveView("expert", { runId: id, expert }, await searchParams);
  return <LiveView component={VIEW_COMPONENTS.expert} {...live} />;
}
