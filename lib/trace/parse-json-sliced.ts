import { invalid } from "@/lib/errors";
import { TimeSlicer } from "./time-slicer";

type Container = unknown[] | Record<string, unknown>;

const MAX_DEPTH = 512;
// Bounds on single tokens, so that no scan of one token holds the event loop: names and labels
// are short, numbers are numbers, and only padding makes whitespace runs long.
const MAX_STRING_BYTES = 1 << 20;
const MAX_NUMBER_CHARS = 512;
const MAX_WHITESPACE_RUN = 16 << 20;
const CHECK_EVERY_BYTES = 1 << 20;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON.parse for documents too large to parse in one go (an aggregate shard of a 256-expert model
 * is tens of MB): the same values, read straight from the bytes, giving the event loop back every
 * few milliseconds so that other requests are served meanwhile. Iterative (an explicit stack, so
 * nesting cannot overflow the call stack); an error names the byte where the document goes wrong.
 */
export async function parseJsonSliced(b: Uint8Array, where: string): Promise<unknown> {
  const slicer = new TimeSlicer();
  const n = b.length;
  let i = 0;
  const stack: Container[] = [];
  const keys: string[] = [];
  let ops = 0;
  let checkedAt = 0;

  const fail = (what: string): never => {
    throw invalid("malformed_json", `${where} is not valid JSON: ${what} at byte ${i}`, `${where}, byte ${i}`);
  };
  const ws = () => {
    const start = i;
    while (i < n) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    if (i - start > MAX_WHITESPACE_RUN) {
      i = start;
      fail(`more than ${MAX_WHITESPACE_RUN >> 20} MiB of whitespace in a row`);
    }
  };
  const readString = (): string => {
    // b[i] is the opening quote
    const start = ++i;
    let escaped = false;
    let ascii = true;
    while (i < n) {
      const c = b[i];
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) fail("a control character inside a string");
      if (c >= 0x80) ascii = false;
      i++;
      if (i - start > MAX_STRING_BYTES) {
        i = start - 1; // the opening quote
        fail(`a string longer than ${MAX_STRING_BYTES >> 20} MiB (names and labels are short)`);
      }
    }
    if (i >= n) fail("an unterminated string");
    const raw = b.subarray(start, i);
    i++; // closing quote
    let text: string;
    try {
      text = ascii ? latin1(raw) : utf8.decode(raw);
    } catch {
      return fail("a string that is not valid UTF-8");
    }
    if (!escaped) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      return fail("a bad escape in a string");
    }
  };
  const readNumber = (): number => {
    const start = i;
    let int = b[i] !== 0x2d;
    let v = 0;
    while (i < n) {
      const c = b[i];
      if (c >= 0x30 && c <= 0x39) v = v * 10 + (c - 0x30);
      else if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) int = false;
      else break;
      i++;
      if (i - start > MAX_NUMBER_CHARS) {
        i = start;
        fail(`a number longer than ${MAX_NUMBER_CHARS} characters`);
      }
    }
    const len = i - start;
    // Plain non-negative integers of up to 15 digits are exact as accumulated (and the hot case).
    if (int && len > 0 && len <= 15 && (len === 1 || b[start] !== 0x30)) return v;
    const text = latin1(b.subarray(start, i));
    if (!NUMBER.test(text)) fail(`"${text.slice(0, 40)}" is not a number`);
    return Number(text);
  };
  const literal = (word: string, value: unknown): unknown => {
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) fail("an unexpected character");
    i += word.length;
    return value;
  };
  const keyThenColon = () => {
    ws();
    if (b[i] !== 0x22) fail("a missing object key");
    keys[stack.length - 1] = readString();
    ws();
    if (b[i] !== 0x3a) fail('a missing ":" after an object key');
    i++;
  };

  ws();
  for (;;) {
    // Read one value; containers are opened and the loop reads their first member.
    // Time is looked at every 4096 values, or every MiB when values are far apart (padding).
    if ((++ops & 4095) === 0 || i - checkedAt > CHECK_EVERY_BYTES) {
      checkedAt = i;
      if (slicer.due()) await slicer.yieldNow();
    }
    ws();
    if (i >= n) fail("the document ends early");
    let value: unknown;
    let complete = true;
    const c = b[i];
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
      i++;
      ws();
      const close = c === 0x7b ? 0x7d : 0x5d;
      if (b[i] === close) {
        i++;
        value = c === 0x7b ? {} : [];
      } else {
        stack.push(c === 0x7b ? {} : []);
        if (c === 0x7b) keyThenColon();
        complete = false;
      }
    } else if (c === 0x22) value = readString();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) value = readNumber();
    else if (c === 0x74) value = literal("true", true);
    else if (c === 0x66) value = literal("false", false);
    else if (c === 0x6e) value = literal("null", null);
    else fail("an unexpected character");
    if (!complete) continue;

    // A value is complete: add it to its container; close containers that end here.
    for (;;) {
      if (!stack.length) {
        ws();
        if (i < n) fail("more data after the document");
        return value;
      }
      const top = stack[stack.length - 1];
      if (Array.isArray(top)) top.push(value);
      else setKey(top, keys[stack.length - 1], value);
      ws();
      const d = b[i];
      if (d === 0x2c) {
        i++;
        if (!Array.isArray(top)) keyThenColon();
        break;
      }
      if (d === (Array.isArray(top) ? 0x5d : 0x7d)) {
        i++;
        value = stack.pop();
        continue;
      }
      fail(Array.isArray(top) ? 'a missing "," or "]"' : 'a missing "," or "}"');
    }
  }
}

function setKey(o: Record<string, unknown>, key: string, value: unknown) {
  // As JSON.parse: "__proto__" is an own property, never the prototype.
  if (key === "__proto__")
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
