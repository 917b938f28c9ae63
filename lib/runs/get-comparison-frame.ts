import type { Db } from "@/lib/db/client";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { encodeCompareFrame } from "@/lib/wire/compare-frame";
import { getComparison } from "./compare-runs";

/** GET /api/compare/frame: the comparison GET /api/compare answers, as a frame (its layer matrices as typed arrays). */
export async function getComparisonFrame(
  db: Db,
  a: RunWithModel,
  b: RunWithModel,
  opts: { layer?: number; paired?: boolean },
): Promise<Uint8Array> {
  return encodeCompareFrame(await getComparison(db, a, b, opts));
}
