import type { Metadata } from "next";
import { pageRun, pageRunOrNull, pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { listSharesOfRun } from "@/lib/db/queries/shares";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { toRunView } from "@/lib/runs/run-view";
import { parseMetric, RunOverview } from "@/components/runs/run-overview";
import { RunManage } from "@/components/runs/run-manage";
import { RunShares } from "@/components/runs/run-shares";
import { RunUploads } from "@/components/runs/run-uploads";
import { UploadPanel } from "@/components/upload/upload-panel";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run?.name ?? "Run not found" };
}

/** V2: the run overview. */
export default async function RunPage({ params, searchParams }: Props) {
  const { id } = await params;
  const metric = parseMetric((await searchParams).metric);
  const db = await getDb();
  const run = await pageRun(id);
  const view = toRunView(run, await listCommittedUploads(db, id));
  const shares = (await listSharesOfRun(db, id, await pageViewer())).map((s) => ({ id: s.id, path: s.path, createdAt: s.createdAt.toISOString() }));
  return (
    <RunOverview view={view} balance={await getRunBalance(db, run)} metric={metric} actions={<RunManage run={view} />}>
      <RunUploads run={view} />
      <RunShares shares={shares} />
      <UploadPanel runId={id} />
    </RunOverview>
  );
}
