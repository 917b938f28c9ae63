import type { ResponseOf } from "@/lib/api/contract";
import type * as analysis from "@/lib/api/contracts/analysis";
import type * as plan from "@/lib/api/contracts/plan";
import type * as results from "@/lib/api/contracts/results";
import type * as runs from "@/lib/api/contracts/runs";
import type * as series from "@/lib/api/contracts/series";
import type * as system from "@/lib/api/contracts/system";
import type * as tokens from "@/lib/api/contracts/tokens";

/**
 * What the browser receives from each endpoint, inferred from its contract's response schema
 * (z.output): the same schema the server's answers are checked against, so these types cannot
 * drift from the wire. Type-only imports: no server code reaches the bundle.
 */
export type RunView = ResponseOf<typeof runs.getRun>;
export type RunsList = ResponseOf<typeof runs.listRuns>;
export type RunBalance = ResponseOf<typeof runs.runBalance>;
export type UploadResult = ResponseOf<typeof runs.uploadTrace>;
export type UploadProgress = ResponseOf<typeof runs.uploadProgress>;
export type LayerView = ResponseOf<typeof analysis.getLayer>;
export type LayerGroups = ResponseOf<typeof analysis.getLayerGroups>;
export type ExpertsView = ResponseOf<typeof analysis.getLayerExperts>;
export type ExpertView = ResponseOf<typeof analysis.getExpert>;
export type SeriesView = ResponseOf<typeof series.getSeries>;
export type SeriesLayer = ResponseOf<typeof series.getSeriesLayer>;
export type FlowView = ResponseOf<typeof analysis.getFlow>;
export type ExpertTokens = ResponseOf<typeof tokens.expertTokens>;
export type LayerTokens = ResponseOf<typeof tokens.layerTokens>;
export type TokenSearch = ResponseOf<typeof tokens.tokenSearch>;
export type SequenceList = ResponseOf<typeof tokens.sequenceList>;
export type SequenceRoutes = ResponseOf<typeof tokens.sequenceRoutes>;
/** GET /api/compare answers two forms: a=&b= (two runs) and runs= (2 to 8). */
export type Comparison = Exclude<ResponseOf<typeof analysis.compareRuns>, { base: string }>;
export type ManyComparison = Extract<ResponseOf<typeof analysis.compareRuns>, { base: string }>;
export type PlacementResult = ResponseOf<typeof analysis.computePlacement>;
export type SimulationResult = ResponseOf<typeof analysis.runSimulation>;
export type PlanResult = ResponseOf<typeof plan.computePlan>;
export type PruneResult = ResponseOf<typeof analysis.pruneFromRun>;
export type PruningRunView = ResponseOf<typeof results.getPruningRun>;
export type PruningRunsList = ResponseOf<typeof results.listPruningRuns>;
export type PruningComparison = ResponseOf<typeof results.comparePruningRuns>;
export type KeepMask = ResponseOf<typeof results.getKeepMask>;
export type QuantResultView = ResponseOf<typeof results.getQuantResult>;
export type QuantResultsList = ResponseOf<typeof results.listQuantResults>;
export type QuantSuggestion = ResponseOf<typeof results.suggestQuantAllocation>;
export type Session = ResponseOf<typeof system.getSession>;
export type Health = ResponseOf<typeof system.health>;
export type Share = ResponseOf<typeof system.getShare>;
export type CreatedShare = ResponseOf<typeof system.createShare>;
