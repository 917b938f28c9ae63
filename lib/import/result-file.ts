import { ZodError, type ZodType } from "zod";
import { invalid } from "@/lib/errors";
import { MODEL_PRESETS } from "@/lib/models/presets";

/**
 * Reading files of stored results (pruning runs, quantization results): the JSON list, the CSV
 * table, the model named in them, and validation whose errors name the record and the field.
 * Nothing here stores anything: importers parse the whole file first, then create all or none.
 */

/** One record, a list, or `{[key]: [...]}`: every record an object. */
export function jsonRecords(text: string, key: string): { doc: unknown; records: Record<string, unknown>[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid("malformed_json", `the file is not valid JSON: ${(e as Error).message}`, "body");
  }
  const wrapped =
    doc && typeof doc === "object" && !Array.isArray(doc) && Array.isArray((doc as Record<string, unknown>)[key])
      ? ((doc as Record<string, unknown>)[key] as unknown[])
      : null;
  const list = Array.isArray(doc) ? doc : (wrapped ?? [doc]);
  if (!list.length) throw invalid("empty_import", "the file holds no records", "body");
  list.forEach((x, i) => {
    if (!x || typeof x !== "object" || Array.isArray(x))
      throw invalid("invalid_record", "each record must be an object", `${key}[${i}]`);
  });
  return { doc, records: list as Record<string, unknown>[] };
}

export interface CsvRow {
  /** 1-based line number in the file, for errors. */
  line: number;
  /** The known columns' text, by lower-case header. */
  cells: Record<string, string>;
  /** Every other non-empty column, as a number: the metrics. */
  metrics: Record<string, number>;
  /** A known column as a number, or a 400 naming line and column. */
  num(column: string): number;
}

/** A CSV table (RFC 4180 quoting) with the `required` columns; columns not in `known` are metrics. */
export function csvRows(text: string, required: readonly string[], known: readonly string[]): CsvRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw invalid("empty_import", "the CSV needs a header and at least one row", "line 1");
  const header = splitCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
  for (const need of required)
    if (!header.includes(need)) throw invalid("missing_field", `the CSV header has no "${need}" column`, "line 1");
  const knownSet = new Set(known);
  return lines.slice(1).map((text, i) => {
    const line = i + 2;
    const fields = splitCsvLine(text).map((c) => c.trim());
    if (fields.length !== header.length)
      throw invalid("malformed_csv", `${fields.length} fields where the header has ${header.length}`, `line ${line}`);
    const all = Object.fromEntries(header.map((h, c) => [h, fields[c]]));
    const num = (column: string) => {
      const v = Number(all[column]);
      if (all[column] === "" || all[column] === undefined || !Number.isFinite(v))
        throw invalid(
          "invalid_field",
          `${column} "${all[column] ?? ""}" is not a number`,
          `line ${line}, column ${column}`,
        );
      return v;
    };
    const metrics: Record<string, number> = {};
    for (const h of header) if (!knownSet.has(h) && all[h] !== "") metrics[h] = num(h);
    const cells = Object.fromEntries(header.filter((h) => knownSet.has(h)).map((h) => [h, all[h]]));
    return { line, cells, metrics, num };
  });
}

/** A model given as a preset id, a preset name ("Mixtral-8x7B (base)" → mixtral-8x7b), or a config. */
export function modelSpec(model: unknown, fallback: string | undefined, where: string) {
  const name = typeof model === "string" ? model : model === undefined || model === "" ? fallback : null;
  if (name === null) return model;
  if (!name)
    throw invalid(
      "missing_field",
      "model is required: in the file, or as the query parameter model=<preset id>",
      `${where}.model`,
    );
  const preset =
    MODEL_PRESETS.find((p) => p.id === name) ??
    MODEL_PRESETS.find((p) => name.toLowerCase().startsWith(p.name.toLowerCase()));
  if (!preset)
    throw invalid(
      "unknown_preset",
      `model "${name}" is not a preset id or name; one of ${MODEL_PRESETS.map((p) => p.id).join(", ")}`,
      `${where}.model`,
    );
  return { preset: preset.id };
}

/** Schema validation with the record's place in the error (`pruningRuns[1].steps[0].dropped`). */
export function parseRecord<T>(schema: ZodType<T>, value: unknown, code: string, where: string): T {
  try {
    return schema.parse(value);
  } catch (e) {
    if (!(e instanceof ZodError)) throw e;
    const issue = e.issues[0];
    const path = issue.path.join(".");
    throw invalid(code, `${path || "record"}: ${issue.message}`, path ? `${where}.${path}` : where);
  }
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
