import { invalid } from "@/lib/errors";
import type { EventBatch } from "../event-batch";
import type { ParseContext } from "../parse-context";
import { StreamReader } from "./byte-reader";
import { readNpyHeader } from "./read-npy-array";
import { tensorEvents } from "./tensor-events";

/** A lone .npy holds expert_ids [T, L, k]; it streams straight through, no spooling. */
export async function* parseNpy(source: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<EventBatch> {
  const where = "array expert_ids (.npy)";
  const reader = new StreamReader(source, where);
  try {
    const header = await readNpyHeader(reader, where);
    yield* tensorEvents(new Map([["expert_ids", { ...header, reader, where }]]), null, ctx);
    if (!(await reader.atEnd()))
      throw invalid("trailing_data", "bytes follow the end of the array's data (shape and file size disagree)", where);
  } finally {
    await reader.close();
  }
}
