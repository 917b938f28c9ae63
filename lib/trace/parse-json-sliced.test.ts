import { describe, expect, it } from "vitest";
import { parseJsonSliced } from "./parse-json-sliced";

const enc = (s: string) => new TextEncoder().encode(s);

function randomValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  if (depth > 4 || r < 0.35) {
    const p = rand();
    if (p < 0.3) return Math.floor(rand() * 1e6);
    if (p < 0.45) return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
    if (p < 0.55) return 2 ** 53 + Math.floor(rand() * 100);
    if (p < 0.7) return ["a", "é\u00e9", 'q"uo\\te', "tab\t", "日本", "\ud83d\ude00", ""][Math.floor(rand() * 7)];
    if (p < 0.8) return rand() < 0.5;
    return null;
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 6) }, () => randomValue(rand, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(rand() * 5) }, (_, k) => [
      `k${k}${rand() < 0.2 ? "é" : ""}`,
      randomValue(rand, depth + 1),
    ]),
  );
}

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseJsonSliced", () => {
  it("reads what JSON.parse reads, on random documents with any spacing", async () => {
    const rand = mulberry32(7);
    for (let n = 0; n < 300; n++) {
      const v = randomValue(rand);
      const text = JSON.stringify(v, null, n % 3 === 0 ? 2 : undefined);
      expect(await parseJsonSliced(enc(text), "doc")).toEqual(JSON.parse(text));
    }
    for (const text of [
      "0",
      "-0",
      "1e5",
      "-1.25E-3",
      '"\\u00e9\\n"',
      "[[],{}]",
      ' {"a" : [1 , 2] } ',
      '{"__proto__": 1}',
      '{"a":1,"a":2}',
      "123456789012345678",
    ]) {
      expect(await parseJsonSliced(enc(text), "doc")).toEqual(JSON.parse(text));
    }
  });

  it("refuses what JSON.parse refuses, naming the byte", async () => {
    for (const text of [
      "",
      "[1,]",
      '{"a" 1}',
      "01",
      "1.",
      "[1 2]",
      "nul",
      '"abc',
      '{"a":1}}',
      '["\t"]',
      "+1",
      ".5",
      "{,}",
      "[",
      '{"a":1,}',
    ]) {
      expect(() => JSON.parse(text)).toThrow();
      await expect(parseJsonSliced(enc(text), "doc"), text).rejects.toMatchObject({
        kind: "invalid",
        code: "malformed_json",
        where: expect.stringMatching(/^doc, byte \d+$/),
      });
    }
    await expect(parseJsonSliced(new Uint8Array([0x22, 0xff, 0x22]), "doc")).rejects.toMatchObject({
      code: "malformed_json",
    });
    // Tokens that only an attack makes long are refused at their start, not scanned on.
    const long = (text: string) => parseJsonSliced(enc(text), "doc");
    await expect(long(`["${"a".repeat((1 << 20) + 1)}"]`)).rejects.toMatchObject({
      message: expect.stringMatching(/string longer than 1 MiB \(names and labels are short\) at byte 1$/),
    });
    await expect(long(`[${"1".repeat(600)}]`)).rejects.toMatchObject({
      message: expect.stringMatching(/number longer than 512 characters at byte 1$/),
    });
    await expect(long(`[${" ".repeat((16 << 20) + 1)}1]`)).rejects.toMatchObject({
      message: expect.stringMatching(/16 MiB of whitespace in a row at byte 1$/),
    });
  });

  it("gives the event loop back while it reads a large document", async () => {
    const big = enc(
      JSON.stringify({ layers: Array.from({ length: 40 }, () => Array.from({ length: 50_000 }, (_, i) => i * 7)) }),
    );
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const v = (await parseJsonSliced(big, "doc")) as { layers: number[][] };
    clearInterval(timer);
    expect(v.layers[39][49_999]).toBe(349_993);
    // JSON.parse would hold the loop for the whole document; timers ran while this read it.
    expect(ticks).toBeGreaterThan(1);
  });
});
