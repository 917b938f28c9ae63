import { describe, expect, it } from "vitest";
import { isByteLevel, parseVocabulary, readableToken } from "./vocabulary";

describe("vocabularies", () => {
  it("reads a tokenizer.json (BPE object, Unigram list, added tokens) or a JSON list", () => {
    expect(parseVocabulary({ model: { vocab: { b: 1, a: 0 } }, added_tokens: [{ id: 3, content: "<s>" }] })).toEqual([
      "a",
      "b",
      "",
      "<s>",
    ]);
    expect(
      parseVocabulary({
        model: {
          vocab: [
            ["▁x", -1.5],
            ["y", -2],
          ],
        },
      }),
    ).toEqual(["▁x", "y"]);
    expect(parseVocabulary(["p", "q"])).toEqual(["p", "q"]);
    expect(() => parseVocabulary({ model: {} })).toThrow(/model.vocab/);
    expect(() => parseVocabulary(["a", 3])).toThrow(/must be a string/);
    expect(() => parseVocabulary("x")).toThrow(/tokenizer.json/);
  });

  it("shows byte-level BPE, SentencePiece and byte tokens readably", () => {
    const bpe = ["Ġthe", "Ċ", "ĠÃ©t", "ĠâĪ", "x"];
    expect(isByteLevel(bpe)).toBe(true);
    expect(bpe.map((t) => readableToken(t, true))).toEqual([" the", "\n", " ét", "<0x20><0xE2><0x88>", "x"]);
    expect(readableToken("▁the")).toBe(" the");
    expect(readableToken("<0x0A>")).toBe("\n");
    expect(readableToken("é", false)).toBe("é");
  });
});
