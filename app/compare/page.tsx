import type { Metadata } from "next";
import { CompareHeader } from "@/components/compare/compare-header";
import { CompareMany } from "@/components/compare/compare-many";
import { CompareManyHeader } from "@/components/compare/compare-many-header";
import { CompareRuns } from "@/components/compare/compare-runs";

export const metadata: Metadata = { title: "Compare runs" };
export const dynamic = "force-dynamic";

/**
 * V10: compare two runs (?a=&b=) or 2 to 8 (?runs=a,b,c&base=). Visibility applies through the
 * API: a run the viewer cannot read answers 404.
 */
export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if ((await searchParams).runs !== undefined)
    return (
      <div className="flex flex-col gap-4">
        <CompareManyHeader />
        <CompareMany />
      </div>
    );
  return (
    <div className="flex flex-col gap-4">
      <CompareHeader />
      <CompareRuns />
    </div>
  );
}
