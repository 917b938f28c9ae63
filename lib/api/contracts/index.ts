import type { AnyContract } from "../contract";
import * as analysis from "./analysis";
import * as plan from "./plan";
import * as results from "./results";
import * as runs from "./runs";
import * as series from "./series";
import * as system from "./system";
import * as tokens from "./tokens";

/** Every endpoint's contract, in the order the API page lists them. */
export const CONTRACTS: AnyContract[] = [runs, series, analysis, tokens, plan, results, system].flatMap((m) =>
  Object.values(m).filter(
    (v): v is AnyContract => typeof v === "object" && v !== null && "method" in v && "path" in v && "response" in v,
  ),
);
