import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { ExpertHeader } from "@/components/experts/expert-header";
import { ExpertView } from "@/components/experts/expert-view";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string; expert: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, expert } = await params;
  const run = await pageRunOrNull(id);
  return { title: run ? `${run.name} · expert ${expert}` : "Run not found" };
}

/** V4: one expert across layers. */
export default async function ExpertPage({ params }: Props) {
  const { id, expert: expertParam } = await params;
  const run = await pageRun(id);
  const { experts, layers } = run.model.config;
  const expert = Number(expertParam);
  if (!/^\d+$/.test(expertParam) || expert >= experts) notFound();
  return (
    <div className="flex flex-col gap-4">
      <ExpertHeader runId={id} runName={run.name} modelName={run.model.name} />
      <ExpertView runId={id} experts={experts} layers={layers} />
    </div>
  );
}
