/** Non-fatal oddities found during ingest, counted rather than listed one per event. */
export interface TraceWarning {
  code: string;
  message: string;
  count: number;
  /** Where the first occurrence was. */
  where?: string;
}

type Place = string | { toString(): string } | undefined;

/** Collects warnings by code; messages are written once, at the end, with the final count. */
export class WarningCollector {
  private byCode = new Map<string, { count: number; where?: string; message: (count: number) => string }>();

  add(code: string, message: (count: number) => string, where?: Place, n = 1) {
    const w = this.byCode.get(code);
    if (w) w.count += n;
    else this.byCode.set(code, { count: n, where: where === undefined ? undefined : String(where), message });
  }

  /** Takes back n occurrences (events that were left out after being counted); none left, no warning. */
  subtract(code: string, n: number) {
    const w = this.byCode.get(code);
    if (!w || n <= 0) return;
    w.count -= n;
    if (w.count <= 0) this.byCode.delete(code);
  }

  list(): TraceWarning[] {
    return [...this.byCode].map(([code, w]) => ({
      code,
      message: w.message(w.count),
      count: w.count,
      ...(w.where ? { where: w.where } : {}),
    }));
  }
}
