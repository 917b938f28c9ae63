import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listSeriesRuns } from "@/lib/db/queries/series";
import { loadLiveView, toSearch } from "@/lib/views/live-view";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { LiveView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ series: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Series ${decodeURIComponent((await params).series)}` };
}

/**
 * A series over training steps. Its URL names one of its runs (`run`), the run a share of the page
 * is anchored to: without one, the page names the last step this reader may read and redirects.
 */
export default async function SeriesPage({ params, searchParams }: Props) {
  const series = decodeURIComponent((await params).series);
  const search = await searchParams;
  if (!search.run) {
    const runs = await listSeriesRuns(await getDb(), series, await pageViewer());
    if (!runs.length) notFound();
    const q = toSearch(search);
    q.set("run", runs[runs.length - 1].id);
    redirect(`/series/${encodeURIComponent(series)}?${q}`);
  }
  const live = await loadLiveView("series", { series }, search);
  return <LiveView component={VIEW_COMPONENTS.series} {...live} />;
}
