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
  return { title: run ? `${run.name} · tokens` : "Run not found" };
}

/** The token view (issue 15, A13). Its answers are prefetched as the view registry lists them. */
export default async function TokensPage({ params, searchParams }: Props) {
  const { id } = await params;
  const live = await loadLiveView("tokens", { runId: id }, await searchParams);
  return <LiveView component={VIEW_COMPONENTS.tokens} {...live} />;
}
