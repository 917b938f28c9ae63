import { ZodError } from "zod";
import { badRequest } from "@/lib/api/api-error";
import { quantResultBodySchema, type QuantResultBody } from "./quant-results";

/**
 * Quantization results from a file: JSON (one, a list, or `{"quantResults": [...]}`) or CSV with
 * `name`, `method`, `attention_bits`, `expert_bits` (uniform), optional `model`, `group_size`,
 * `shared_bits`, `source`, and any metric columns. Per-expert allocations need JSON.
 */
export function parseQuantImport(text: string, format: "json" | "csv", defaults: { model?: string }): QuantResultBody[] {
  const items = format === "json" ? fromJson(text) : fromCsv(text, defaults);
  return items.map((item, i) => {
    const where = format === "json" ? `quantResults[${i}]` : `line ${i + 2}`;
    const r = item as Record<string, unknown>;
    const model = typeof r.model === "string" ? { preset: r.model } : (r.model ?? (defaults.model ? { preset: defaults.model } : undefined));
    try {
      return quantResultBodySchema.parse({ ...r, model });
    } catch (e) {
      if (e instanceof ZodError) {
        const issue = e.issues[0];
        throw badRequest("invalid_quant_result", `${issue.path.join(".") || "result"}: ${issue.message}`, `${where}.${issue.path.join(".")}`);
      }
      throw e;
    }
  });
}

function fromJson(text: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw badRequest("malformed_json", `the file is not valid JSON: ${(e as Error).message}`, "body");
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === "object" && Array.isArray((doc as { quantResults?: unknown }).quantResults) ? (doc as { quantResults: unknown[] }).quantResults : [doc];
  list.forEach((x, i) => {
    if (!x || typeof x !== "object" || Array.isArray(x)) throw badRequest("invalid_quant_result", "each result must be an object", `quantResults[${i}]`);
  });
  return list;
}

function fromCsv(text: string, defaults: { model?: string }): unknown[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw badRequest("empty_import", "the CSV needs a header and at least one row", "line 1");
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  for (const need of ["name", "method", "attention_bits", "expert_bits"]) if (!header.includes(need)) throw badRequest("missing_field", `the CSV header has no "${need}" column`, "line 1");
  const known = new Set(["name", "model", "method", "group_size", "attention_bits", "expert_bits", "shared_bits", "source"]);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",").map((c) => c.trim());
    const where = `line ${i + 2}`;
    if (cells.length !== header.length) throw badRequest("malformed_csv", `${cells.length} fields where the header has ${header.length}`, where);
    const row = Object.fromEntries(header.map((h, c) => [h, cells[c]]));
    const num = (k: string) => {
      const v = Number(row[k]);
      if (row[k] === "" || !Number.isFinite(v)) throw badRequest("invalid_field", `${k} "${row[k]}" is not a number`, `${where}, column ${k}`);
      return v;
    };
    const metrics: Record<string, number> = {};
    for (const h of header) if (!known.has(h) && row[h] !== "") metrics[h] = num(h);
    return {
      name: row.name,
      model: row.model || defaults.model,
      method: row.method,
      groupSize: row.group_size ? num("group_size") : null,
      bits: { attention: num("attention_bits"), experts: num("expert_bits"), ...(row.shared_bits ? { shared: num("shared_bits") } : {}) },
      metrics,
      source: row.source ?? "",
    };
  });
}
