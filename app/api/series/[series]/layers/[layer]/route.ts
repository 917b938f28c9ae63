import { getSeriesLayer } from "@/lib/api/contracts/series";
import { apiHandler } from "@/lib/api/handler";
import { getSeriesLayer as seriesLayer } from "@/lib/runs/get-series-layer";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getSeriesLayer, async ({ params, query, database, viewer }) =>
  seriesLayer(database.db, params.series, params.layer, query.normalization, await viewer()),
);
