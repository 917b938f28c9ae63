import { describe, expect, it } from "vitest";
import { BIT_COLORS, bitColor } from "./bit-palette";

describe("bit-width palette", () => {
  it("gives every listed width its own colour, whatever else an allocation holds", () => {
    const colours = Object.values(BIT_COLORS);
    expect(new Set(colours).size).toBe(colours.length);
    for (const w of [2, 3, 4, 8, 16]) expect(bitColor(w)).toBe(BIT_COLORS[w]);
  });
  it("puts an unlisted width between its neighbours, the same every time", () => {
    expect(bitColor(2.5)).toBe(bitColor(2.5));
    expect(bitColor(2.5)).not.toBe(bitColor(2));
    expect(bitColor(2.5)).not.toBe(bitColor(3));
    expect(bitColor(64)).toBe(BIT_COLORS[32]);
    expect(bitColor(NaN)).toBe(BIT_COLORS[0]);
  });
});
