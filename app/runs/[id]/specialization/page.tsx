import type { Metadata } from "next";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { LabelSpecialization } from "@/components/specialization/label-specialization";
import { SpecializationHeader } from "@/components/specialization/specialization-header";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run ? `${run.name} · domain specialization` : "Run not found" };
}

/** V5: the domain specialization and entropy vs load. */
export default async function SpecializationPage({ params }: Props) {
  const { id } = await params;
  const run = await pageRun(id);
  return (
    <div className="flex flex-col gap-4">
      <SpecializationHeader runId={id} runName={run.name} modelName={run.model.name} />
      <LabelSpecialization runId={id} layers={run.model.config.layers} />
    </div>
  );
}
