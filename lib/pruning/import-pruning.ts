import { badRequest } from "@/lib/api/api-error";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { pruningRunBodySchema, type PruningRunBody } from "./pruning-schemas";
import { ZodError } from "zod";

/**
 * Pruning results from a file: JSON (one run, a list, or `{"pruningRuns": [...]}` as in the
 * MC-Suite transcription of ../shared/data/papers) or CSV (one row per step). Everything is
 * validated before anything is stored; errors say which run or line.
 */
export function parsePruningImport(text: string, format: "json" | "csv", defaults: { model?: string; source?: string }): PruningRunBody[] {
  const raw = format === "json" ? fromJson(text) : fromCsv(text);
  return raw.map((item, i) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) throw badRequest("invalid_pruning_run", "each pruning run must be an object", `pruningRuns[${i}]`);
    const r = item as Record<string, unknown>;
    const where = format === "json" ? `pruningRuns[${i}]` : `run ${i + 1} (${(r as { criterion?: string }).criterion} ${(r as { schedule?: string }).schedule})`;
    const withModel = { ...r, model: modelOf((r as { model?: unknown }).model, defaults.model, where), source: (r as { source?: string }).source ?? defaults.source ?? "" };
    try {
      return pruningRunBodySchema.parse(withModel);
    } catch (e) {
      if (e instanceof ZodError) {
        const issue = e.issues[0];
        throw badRequest("invalid_pruning_run", `${issue.path.join(".") || "run"}: ${issue.message}`, `${where}.${issue.path.join(".")}`);
      }
      throw e;
    }
  });
}

/** A model given as a preset id, a preset name ("Mixtral-8x7B (base)" → mixtral-8x7b), or a config. */
function modelOf(model: unknown, fallback: string | undefined, where: string) {
  const name = typeof model === "string" ? model : model === undefined ? fallback : null;
  if (name === null) return model;
  if (!name) throw badRequest("missing_field", "model is required: in the file, or as the query parameter model=<preset id>", `${where}.model`);
  const preset = MODEL_PRESETS.find((p) => p.id === name) ?? MODEL_PRESETS.find((p) => name.toLowerCase().startsWith(p.name.toLowerCase()));
  if (!preset) throw badRequest("unknown_preset", `model "${name}" is not a preset id or name; one of ${MODEL_PRESETS.map((p) => p.id).join(", ")}`, `${where}.model`);
  return { preset: preset.id };
}

function fromJson(text: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw badRequest("malformed_json", `the file is not valid JSON: ${(e as Error).message}`, "body");
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === "object" && Array.isArray((doc as { pruningRuns?: unknown }).pruningRuns) ? (doc as { pruningRuns: unknown[] }).pruningRuns : [doc];
  const paper = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as { paper?: string }).paper : undefined;
  if (!list.length) throw badRequest("empty_import", "the file holds no pruning runs", "body");
  return list.map((r) => {
    const run = r as { source?: string };
    // MC-Suite's transcription cites the table per run and the paper once.
    return paper && run.source && !run.source.includes(paper) ? { ...run, source: `${paper}, ${run.source.replace(/^MC-Suite paper, /, "")}` } : run;
  });
}

/**
 * CSV: a header with `criterion`, `schedule`, `dropped_percent` and any metric columns; optional
 * `name`, `model`, `experts_dropped_per_layer`, `source`. Rows with the same (name, model, criterion,
 * schedule) form one run; a row with dropped_percent 0 holds the dense model's metrics.
 */
function fromCsv(text: string): unknown[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw badRequest("empty_import", "the CSV needs a header and at least one row", "line 1");
  const header = splitCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
  for (const need of ["criterion", "schedule", "dropped_percent"]) if (!header.includes(need)) throw badRequest("missing_field", `the CSV header has no "${need}" column`, "line 1");
  const known = new Set(["name", "model", "criterion", "schedule", "dropped_percent", "experts_dropped_per_layer", "source"]);
  const runs = new Map<string, { name?: string; model?: string; criterion: string; schedule: string; source?: string; dense: Record<string, number>; steps: unknown[] }>();
  lines.slice(1).forEach((line, i) => {
    const cells = splitCsvLine(line);
    const where = `line ${i + 2}`;
    if (cells.length !== header.length) throw badRequest("malformed_csv", `${cells.length} fields where the header has ${header.length}`, where);
    const row = Object.fromEntries(header.map((h, c) => [h, cells[c].trim()]));
    const num = (k: string) => {
      const v = Number(row[k]);
      if (row[k] === "" || !Number.isFinite(v)) throw badRequest("invalid_field", `${k} "${row[k]}" is not a number`, `${where}, column ${k}`);
      return v;
    };
    const metrics: Record<string, number> = {};
    for (const h of header) if (!known.has(h) && row[h] !== "") metrics[h] = num(h);
    const key = [row.name, row.model, row.criterion, row.schedule].join("\u0000");
    const run = runs.get(key) ?? { name: row.name || undefined, model: row.model || undefined, criterion: row.criterion, schedule: row.schedule, source: row.source || undefined, dense: {}, steps: [] };
    runs.set(key, run);
    const pct = num("dropped_percent");
    if (pct === 0) run.dense = metrics;
    else run.steps.push({ droppedPercent: pct, expertsDroppedPerLayer: row.experts_dropped_per_layer ? num("experts_dropped_per_layer") : null, metrics });
  });
  return [...runs.values()];
}

/** One CSV line (RFC 4180 quoting). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
