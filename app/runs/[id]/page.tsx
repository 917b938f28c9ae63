import type { Metadata } from "next";
import { pageRunOrNull, pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listSharesOfRun } from "@/lib/db/queries/shares";
import { loadLiveView } from "@/lib/views/live-view";
import { RunManage } from "@/components/runs/run-manage";
import { RunShares } from "@/components/runs/run-shares";
import { RunUploads } from "@/components/runs/run-uploads";
import { UploadPanel } from "@/components/upload/upload-panel";
import { VIEW_COMPONENTS } from "@/components/views/view-components";
import { LiveView } from "@/components/views/view-page";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run?.name ?? "Run not found" };
}

/** V2: the run overview (its balance answers as the view registry lists them), with what only the live page has: manage, uploads, shares, upload. */
export default async function RunPage({ params, searchParams }: Props) {
  const { id } = await params;
  const live = await loadLiveView("overview", { runId: id }, await searchParams);
  const shares = (await listSharesOfRun(await getDb(), id, await pageViewer())).map((s) => ({
    id: s.id,
    path: s.path,
    createdAt: s.createdAt.toISOString(),
  }));
  return (
    <LiveView component={VIEW_COMPONENTS.overview} {...live} actions={<RunManage run={live.run} />}>
      <RunUploads run={live.run} />
      <RunShares shares={shares} />
      <UploadPanel runId={id} />
    </LiveView>
  );
}
