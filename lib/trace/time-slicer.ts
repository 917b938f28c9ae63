/**
 * Long synchronous work in a request (parsing a large document, validating thousands of layers)
 * would hold the event loop, and every other request with it. A slicer lets such loops give the
 * loop back every few milliseconds: call `maybeYield()` often; it awaits a macrotask only when the
 * current slice has run past its budget.
 */
export const SLICE_MS = 10;

export class TimeSlicer {
  private started = performance.now();

  constructor(private readonly budgetMs = SLICE_MS) {}

  /** True when the slice is over and the caller should `await yieldNow()`. */
  due(): boolean {
    return performance.now() - this.started > this.budgetMs;
  }

  async yieldNow(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }

  async maybeYield(): Promise<void> {
    if (this.due()) await this.yieldNow();
  }
}
