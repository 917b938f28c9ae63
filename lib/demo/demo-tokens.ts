import { Prng } from "./prng";

/*
 * Token ids for synthetic traces (issue 15): a small vocabulary drawn Zipf-like, and planted
 * token-to-expert preferences (a few ids whose preferred expert at each layer gets a logit boost),
 * drawn from their own random streams so that the rest of the planted structure is unchanged.
 */

/** The demo vocabulary, as a byte-level BPE tokenizer writes it (Ġ = a leading space, Ċ = a newline). */
export const DEMO_VOCABULARY: readonly string[] = [
  "Ġthe",
  ",",
  ".",
  "Ġof",
  "Ġand",
  "Ġto",
  "Ġa",
  "Ġin",
  "Ċ",
  "Ġis",
  "Ġthat",
  "Ġfor",
  "Ġit",
  "Ġwith",
  "Ġas",
  "Ġwas",
  "Ġon",
  "Ġbe",
  "Ġby",
  "Ġthis",
  "Ġare",
  "(",
  ")",
  "Ġ=",
  "Ġreturn",
  "Ġdef",
  "Ġif",
  "Ġ+",
  "Ġx",
  "Ġ1",
  "Ġ2",
  "Ġ0",
  "Ġself",
  ":",
  "Ġfrom",
  "Ġsum",
  "Ġequation",
  "Ġproof",
  "Ġnumber",
  "Ġtheorem",
  "Ġexpert",
  "Ġmodel",
  "Ġtoken",
  "Ġlayer",
  "Ġrouter",
  "Ġweight",
  "Ġgate",
  "Ġimport",
  "Ġclass",
  "Ġprint",
  "Ġwhile",
  "Ġstory",
  "Ġriver",
  "Ġking",
  "Ġnight",
  "Ġcity",
  "Ġlight",
  "Ġsea",
  "ĠâĪļ",
  "ĠÏĢ",
  "ĠâĪ",
  "ĠÃ©t",
  "Ã©",
  "ĠnaÃ¯ve",
];

export interface PlantedTokens {
  /** The planted token ids. */
  ids: number[];
  /** preferred[layer][i]: the expert token ids[i] prefers at that layer. */
  preferred: number[][];
}

/** Boost of a planted token's preferred expert: a few standard deviations of the logit noise. */
export const TOKEN_BOOST = 4;

/** Six ids from the middle of the frequency ranks, each with a live expert per layer. */
export function planTokens(seed: number, layers: number, experts: number, dead: readonly number[][]): PlantedTokens {
  const rng = new Prng(seed, 3);
  const ranks = rng
    .shuffle(Array.from({ length: 30 }, (_, i) => 10 + i))
    .slice(0, 6)
    .sort((a, b) => a - b);
  const preferred = Array.from({ length: layers }, (_, l) =>
    ranks.map(() => {
      const alive = Array.from({ length: experts }, (_, e) => e).filter((e) => !dead[l].includes(e));
      return alive[rng.int(alive.length)];
    }),
  );
  return { ids: ranks, preferred };
}

/** Draws token ids Zipf-like (p ∝ 1 / (rank + 2)) over DEMO_VOCABULARY, from its own stream. */
export class TokenDraw {
  private rng: Prng;
  private cumulative: number[];
  constructor(seed: number) {
    this.rng = new Prng(seed, 4);
    let s = 0;
    const w = DEMO_VOCABULARY.map((_, r) => (s += 1 / (r + 2)));
    this.cumulative = w.map((x) => x / s);
  }
  next(): number {
    const u = this.rng.next();
    const i = this.cumulative.findIndex((c) => u < c);
    return i < 0 ? this.cumulative.length - 1 : i;
  }
}
