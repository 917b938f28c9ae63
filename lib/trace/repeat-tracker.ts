/**
 * Repeated positions (docs/DECISIONS.md): an event whose position is not above the highest already
 * seen in its (sequence, layer) repeats one. Memory per (sequence, layer), not per event.
 */
export class RepeatTracker {
  // Keyed seq * 4096 + layer (layers are a Uint16 below 4096).
  private highest = new Map<number, number>();

  /** Whether the event repeats a position; one that does not is remembered. Unknown positions (-1) never repeat. */
  repeats(seq: number, layer: number, pos: number): boolean {
    if (pos < 0) return false;
    const key = seq * 4096 + layer;
    const last = this.highest.get(key);
    if (last !== undefined && pos <= last) return true;
    this.highest.set(key, pos);
    return false;
  }
}
