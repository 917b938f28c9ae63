import { csvRows, jsonRecords, modelSpec, parseRecord } from "@/lib/import/result-file";
import { pruningRunBodySchema, type PruningRunBody } from "./pruning-schemas";

/**
 * Pruning results from a file: JSON (one run, a list, or `{"pruningRuns": [...]}` as in the
 * MC-Suite transcription of ../shared/data/papers) or CSV (one row per step). Everything is
 * validated before anything is stored; errors say which run or line.
 */
export function parsePruningImport(
  text: string,
  format: "json" | "csv",
  defaults: { model?: string; source?: string },
): PruningRunBody[] {
  const raw = format === "json" ? fromJson(text) : fromCsv(text);
  return raw.map(({ record, where }) =>
    parseRecord(
      pruningRunBodySchema,
      {
        ...record,
        model: modelSpec(record.model, defaults.model, where),
        source: record.source ?? defaults.source ?? "",
      },
      "invalid_pruning_run",
      where,
    ),
  );
}

function fromJson(text: string) {
  const { doc, records } = jsonRecords(text, "pruningRuns");
  const paper = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as { paper?: string }).paper : undefined;
  return records.map((run, i) => {
    const source = run.source as string | undefined;
    // MC-Suite's transcription cites the table per run and the paper once.
    const record =
      paper && source && !source.includes(paper)
        ? { ...run, source: `${paper}, ${source.replace(/^MC-Suite paper, /, "")}` }
        : run;
    return { record, where: `pruningRuns[${i}]` };
  });
}

/**
 * CSV: a header with `criterion`, `schedule`, `dropped_percent` and any metric columns; optional
 * `name`, `model`, `experts_dropped_per_layer`, `source`. Rows with the same (name, model, criterion,
 * schedule) form one run; a row with dropped_percent 0 holds the dense model's metrics.
 */
function fromCsv(text: string) {
  const rows = csvRows(
    text,
    ["criterion", "schedule", "dropped_percent"],
    ["name", "model", "criterion", "schedule", "dropped_percent", "experts_dropped_per_layer", "source"],
  );
  const runs = new Map<
    string,
    {
      where: string;
      record: {
        name?: string;
        model?: string;
        criterion: string;
        schedule: string;
        source?: string;
        dense: Record<string, number>;
        steps: unknown[];
      };
    }
  >();
  for (const row of rows) {
    const c = row.cells;
    const key = [c.name, c.model, c.criterion, c.schedule].join("\u0000");
    const run = runs.get(key) ?? {
      where: `run ${runs.size + 1} (${c.criterion} ${c.schedule}, from line ${row.line})`,
      record: {
        name: c.name || undefined,
        model: c.model || undefined,
        criterion: c.criterion,
        schedule: c.schedule,
        source: c.source || undefined,
        dense: {},
        steps: [],
      },
    };
    runs.set(key, run);
    const pct = row.num("dropped_percent");
    if (pct === 0) run.record.dense = row.metrics;
    else
      run.record.steps.push({
        droppedPercent: pct,
        expertsDroppedPerLayer: c.experts_dropped_per_layer ? row.num("experts_dropped_per_layer") : null,
        metrics: row.metrics,
      });
  }
  return [...runs.values()] as { where: string; record: Record<string, unknown> }[];
}
