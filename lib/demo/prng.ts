/**
 * Seeded pseudo-random numbers for demo data and tests. Math.random cannot be seeded, and demo
 * traces must be byte-identical across runs and machines, so everything here is 32-bit integer
 * arithmetic (Math.imul) whose results do not depend on the platform. Not for cryptography.
 */

/** murmur3's finalizer: spreads nearby seeds (1, 2, 3...) over the whole 32-bit state space. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: one 32-bit word of state, period 2^32, plenty for synthetic traces. */
export class Prng {
  private state: number;
  private spare: number | null = null;

  /**
   * `stream` selects an independent sequence for the same seed, so that e.g. the planted
   * structure does not change when the event generator draws a different number of values.
   */
  constructor(seed: number, stream = 0) {
    const lo = Math.trunc(seed) >>> 0;
    const hi = Math.trunc(seed / 2 ** 32) >>> 0;
    this.state = fmix32(fmix32(lo ^ fmix32(hi + 0x9e3779b9)) ^ Math.imul(stream + 1, 0x27d4eb2f));
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal via Box-Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fisher-Yates, in place; returns `items` for chaining. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
