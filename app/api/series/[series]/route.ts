import { getSeries } from "@/lib/api/contracts/series";
import { apiHandler } from "@/lib/api/handler";
import { getSeriesView } from "@/lib/runs/get-series-view";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

export const GET = apiHandler(getSeries, async ({ params, query, database, viewer }) =>
  getSeriesView(database.db, params.series, await viewer(), query),
);
