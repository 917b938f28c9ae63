import { decodeFrame, encodeFrame, WireError, type WireArray } from "./frame";

const MATRICES = ["perTokenA", "perTokenB", "diff"] as const;
type MatrixName = (typeof MATRICES)[number];

/** The compare answer's shape as far as the frame needs it: a layer detail with three E x E matrices. */
interface WithDetail {
  experts: number;
  layerDetail: ({ [K in MatrixName]: number[][] } & Record<string, unknown>) | null;
}

/** A compare answer with its layer's matrices as row-major typed arrays; everything else as in JSON. */
export type CompareFrame<C extends WithDetail> = Omit<C, "layerDetail"> & {
  layerDetail: (Omit<NonNullable<C["layerDetail"]>, MatrixName> & { [K in MatrixName]: WireArray }) | null;
};

const flat = (rows: number[][], E: number) => {
  const out = new Float64Array(E * E);
  for (let i = 0; i < E; i++) out.set(rows[i], i * E);
  return out;
};

/** GET /api/compare/frame: the comparison's scalars and per-layer series in the header, its matrices as arrays. */
export function encodeCompareFrame<C extends WithDetail>(c: C): Uint8Array {
  const E = c.experts;
  if (!c.layerDetail) return encodeFrame(c, {});
  const detail: Record<string, unknown> = { ...c.layerDetail };
  for (const k of MATRICES) delete detail[k];
  return encodeFrame(
    { ...c, layerDetail: detail },
    Object.fromEntries(MATRICES.map((k) => [k, { values: flat(c.layerDetail![k], E), shape: [E, E] }])),
  );
}

export function decodeCompareFrame<C extends WithDetail>(buffer: ArrayBuffer): CompareFrame<C> {
  const { meta, arrays } = decodeFrame<CompareFrame<C>>(buffer);
  if (!meta.layerDetail) return meta;
  for (const k of MATRICES) if (!arrays[k]) throw new WireError(`compare frame without ${k}`);
  return {
    ...meta,
    layerDetail: { ...meta.layerDetail, perTokenA: arrays.perTokenA, perTokenB: arrays.perTokenB, diff: arrays.diff },
  };
}

/** A compare answer pinned as JSON (shares) as the same typed arrays. */
export function compareFrameFromJson<C extends WithDetail>(c: C): CompareFrame<C> {
  const E = c.experts;
  if (!c.layerDetail) return c as unknown as CompareFrame<C>;
  return {
    ...c,
    layerDetail: {
      ...c.layerDetail,
      perTokenA: flat(c.layerDetail.perTokenA, E),
      perTokenB: flat(c.layerDetail.perTokenB, E),
      diff: flat(c.layerDetail.diff, E),
    },
  } as unknown as CompareFrame<C>;
}
