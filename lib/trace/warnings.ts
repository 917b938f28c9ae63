/** Non-fatal oddities found during ingest, counted rather than listed one per event. */
export interface TraceWarning {
  code: string;
  message: string;
  count: number;
  /** Where the first occurrence was. */
  where?: string;
}

export class WarningCollector {
  private byCode = new Map<string, TraceWarning>();

  add(code: string, message: (count: number) => string, where?: string, n = 1) {
    const w = this.byCode.get(code);
    if (w) {
      w.count += n;
      w.message = message(w.count);
    } else {
      this.byCode.set(code, { code, message: message(n), count: n, where });
    }
  }

  list(): TraceWarning[] {
    return [...this.byCode.values()];
  }
}
