import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, exactDtype, WireError } from "./frame";

describe("binary frames", () => {
  it("round-trips meta and arrays exactly, each array a view on the buffer at an 8-byte offset", () => {
    const counts = Float64Array.of(0, 3, 7, 4294967295);
    const probs = Float64Array.of(0.1, 1 / 3, 2e-300, -0);
    const halves = Float64Array.of(0.5, 1.25, -3, 1e10);
    const bytes = encodeFrame(
      { layer: 3, note: "ü" },
      {
        counts: { values: counts, shape: [2, 2] },
        probs: { values: probs, shape: [4] },
        halves: { values: halves, shape: [4] },
      },
    );
    const f = decodeFrame<{ layer: number; note: string }>(bytes.buffer as ArrayBuffer);
    expect(f.meta).toEqual({ layer: 3, note: "ü" });
    expect(f.arrays.counts).toBeInstanceOf(Uint32Array);
    expect(f.arrays.probs).toBeInstanceOf(Float64Array);
    expect(f.arrays.halves).toBeInstanceOf(Float32Array);
    expect(Array.from(f.arrays.counts)).toEqual(Array.from(counts));
    expect(Array.from(f.arrays.probs)).toEqual(Array.from(probs));
    expect(Array.from(f.arrays.halves)).toEqual(Array.from(halves));
    expect(f.shapes.counts).toEqual([2, 2]);
    for (const a of Object.values(f.arrays)) {
      expect(a.buffer).toBe(bytes.buffer); // no copy
      expect(a.byteOffset % 8).toBe(0);
    }
  });

  it("lays out little-endian bytes after a JSON header, as numpy reads them", () => {
    const bytes = encodeFrame({}, { m: { values: Float64Array.of(1.5), shape: [1], dtype: "float64" } });
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("MAF1");
    const h = new DataView(bytes.buffer).getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + h)));
    expect(header.arrays[0]).toMatchObject({ name: "m", dtype: "float64", shape: [1], length: 1 });
    // 1.5 = 0x3FF8000000000000, least significant byte first.
    expect(Array.from(bytes.subarray(header.arrays[0].offset, header.arrays[0].offset + 8))).toEqual([
      0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
    ]);
  });

  it("picks the narrowest exact dtype", () => {
    expect(exactDtype([0, 1, 2 ** 32 - 1])).toBe("uint32");
    expect(exactDtype([0, 2 ** 32])).toBe("float32"); // 2^32 is a float32
    expect(exactDtype([-1, 0.5])).toBe("float32");
    expect(exactDtype([0.1])).toBe("float64");
    expect(exactDtype([2 ** 32 + 1])).toBe("float64");
    expect(exactDtype([])).toBe("uint32");
  });

  it("refuses malformed frames instead of reading past them", () => {
    const good = encodeFrame({}, { m: { values: Float64Array.of(0.1, 0.2), shape: [2] } });
    expect(() => decodeFrame(new ArrayBuffer(4))).toThrow(WireError);
    const wrongMagic = good.slice();
    wrongMagic[0] = 0;
    expect(() => decodeFrame(wrongMagic.buffer)).toThrow(/magic/);
    expect(() => decodeFrame(good.slice(0, good.length - 8).buffer)).toThrow(/not inside the frame/);
    expect(() => encodeFrame({}, { m: { values: [1, 2, 3], shape: [2, 2] } })).toThrow(/does not hold 3 values/);
  });
});
