import { csvRows, jsonRecords, modelSpec, parseRecord } from "@/lib/import/result-file";
import { quantResultBodySchema, type QuantResultBody } from "./quant-results";

/**
 * Quantization results from a file: JSON (one, a list, or `{"quantResults": [...]}`) or CSV with
 * `name`, `method`, `attention_bits`, `expert_bits` (uniform), optional `model`, `group_size`,
 * `shared_bits`, `source`, and any metric columns. Per-expert allocations need JSON.
 */
export function parseQuantImport(
  text: string,
  format: "json" | "csv",
  defaults: { model?: string },
): QuantResultBody[] {
  const items =
    format === "json"
      ? jsonRecords(text, "quantResults").records.map((record, i) => ({ record, where: `quantResults[${i}]` }))
      : fromCsv(text);
  return items.map(({ record, where }) =>
    parseRecord(
      quantResultBodySchema,
      { ...record, model: modelSpec(record.model, defaults.model, where) },
      "invalid_quant_result",
      where,
    ),
  );
}

function fromCsv(text: string) {
  const rows = csvRows(
    text,
    ["name", "method", "attention_bits", "expert_bits"],
    ["name", "model", "method", "group_size", "attention_bits", "expert_bits", "shared_bits", "source"],
  );
  return rows.map((row) => {
    const c = row.cells;
    const record: Record<string, unknown> = {
      name: c.name,
      model: c.model || undefined,
      method: c.method,
      groupSize: c.group_size ? row.num("group_size") : null,
      bits: {
        attention: row.num("attention_bits"),
        experts: row.num("expert_bits"),
        ...(c.shared_bits ? { shared: row.num("shared_bits") } : {}),
      },
      metrics: row.metrics,
      source: c.source ?? "",
    };
    return { record, where: `line ${row.line}` };
  });
}
