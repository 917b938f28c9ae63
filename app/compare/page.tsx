import type { Metadata } from "next";
import { CompareHeader } from "@/components/compare/compare-header";
import { CompareRuns } from "@/components/compare/compare-runs";

export const metadata: Metadata = { title: "Compare runs" };
export const dynamic = "force-dynamic";

/** V10: compare two runs. Visibility applies through the API: a run the viewer cannot read answers 404. */
export default function ComparePage() {
  return (
    <div className="flex flex-col gap-4">
      <CompareHeader />
      <CompareRuns />
    </div>
  );
}
