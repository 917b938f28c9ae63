/**
 * Vocabularies (issue 15): a Hugging Face tokenizer.json (its model.vocab, a {token: id} object or
 * Unigram's [[token, score], ...] list, plus added_tokens) or a plain JSON list (index = id), read
 * into an id → raw token table; and the readable form of a raw token (byte-level BPE, SentencePiece).
 */
import { invalid } from "@/lib/errors";

/** Largest vocabulary accepted (ids beyond it are refused). */
export const MAX_VOCABULARY = 1 << 21;

/** id → raw token string ("" where the id has none). */
export function parseVocabulary(doc: unknown): string[] {
  const out: string[] = [];
  const put = (id: unknown, tok: unknown, where: string) => {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= MAX_VOCABULARY)
      throw invalid(
        "invalid_vocabulary",
        `token id must be an integer in [0, ${MAX_VOCABULARY}), got ${JSON.stringify(id)}`,
        where,
      );
    if (typeof tok !== "string")
      throw invalid("invalid_vocabulary", `token must be a string, got ${JSON.stringify(tok)?.slice(0, 40)}`, where);
    if (tok.includes("\u0000")) throw invalid("nul_character", "token contains a NUL character (U+0000)", where);
    while (out.length <= id) out.push("");
    out[id] = tok;
  };
  if (Array.isArray(doc)) {
    doc.forEach((t, i) => put(i, t === null ? "" : t, `body[${i}]`));
  } else if (doc && typeof doc === "object" && "model" in doc) {
    const model = (doc as { model: unknown }).model;
    const vocab = model && typeof model === "object" ? (model as { vocab?: unknown }).vocab : undefined;
    if (Array.isArray(vocab)) {
      vocab.forEach((e, i) => put(i, Array.isArray(e) ? e[0] : e, `model.vocab[${i}]`));
    } else if (vocab && typeof vocab === "object") {
      for (const [tok, id] of Object.entries(vocab)) put(id, tok, `model.vocab[${JSON.stringify(tok).slice(0, 40)}]`);
    } else
      throw invalid("invalid_vocabulary", "tokenizer.json has no model.vocab (an object or a list)", "model.vocab");
    const added = (doc as { added_tokens?: unknown }).added_tokens;
    if (Array.isArray(added))
      added.forEach((a, i) =>
        put((a as { id?: unknown })?.id, (a as { content?: unknown })?.content, `added_tokens[${i}]`),
      );
  } else {
    throw invalid(
      "invalid_vocabulary",
      "expected a tokenizer.json (an object with model.vocab) or a JSON list of token strings",
      "body",
    );
  }
  if (!out.length) throw invalid("invalid_vocabulary", "the vocabulary is empty", "body");
  return out;
}

/** A vocabulary document's text (tokenizer.json or a JSON list), parsed and read. */
export function parseVocabularyText(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid("malformed_json", `the vocabulary is not valid JSON: ${(e as Error).message}`, "body");
  }
  return parseVocabulary(doc);
}

/** GPT-2's bytes_to_unicode: the printable stand-in of each byte in byte-level BPE vocabularies. */
const BYTE_OF_CHAR: Map<number, number> = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  return new Map(cs.map((c, i) => [c, bs[i]]));
})();

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as text, or as <0xNN> escapes where they are not (yet) valid UTF-8 (a piece of a character). */
function bytesText(bytes: number[]): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return bytes.map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`).join("");
  }
}

/**
 * The readable text of a raw token: SentencePiece's ▁ is a space and <0x0A> a byte; a byte-level
 * BPE token (Ġ for a space, Ċ for a newline...) is turned back into its bytes. Tokens that are
 * neither are returned as they are.
 */
export function readableToken(raw: string, byteLevel = isByteLevel([raw])): string {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(raw);
  if (byte) return bytesText([parseInt(byte[1], 16)]);
  if (raw.includes("\u2581")) return raw.replace(/\u2581/g, " ");
  const chars = [...raw];
  if (byteLevel && chars.length && chars.every((c) => BYTE_OF_CHAR.has(c.codePointAt(0)!)))
    return bytesText(chars.map((c) => BYTE_OF_CHAR.get(c.codePointAt(0)!)!));
  return raw;
}

/** Whether a vocabulary is byte-level BPE: some token uses the stand-in of a space (Ġ) or newline (Ċ). */
export function isByteLevel(tokens: readonly string[]): boolean {
  return tokens.some((t) => t.includes("\u0120") || t.includes("\u010a"));
}
