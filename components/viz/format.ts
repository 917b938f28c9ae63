import { format } from "d3";

const int = format(",d");
const sig3 = format(".3~g");
const fixed3 = format(".3f");

/** Counts as integers with separators, everything else with 3 significant digits. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (Number.isInteger(v)) return int(v);
  if (Math.abs(v) >= 0.001 && Math.abs(v) < 1000) return fixed3(v).replace(/\.?0+$/, "");
  return sig3(v);
}
