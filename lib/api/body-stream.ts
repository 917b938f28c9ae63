import { badRequest } from "@/lib/errors";

/** A request body as an async iterable of byte chunks, read as it arrives. */
export async function* bodyChunks(req: Request): AsyncGenerator<Uint8Array> {
  if (!req.body) throw badRequest("empty_trace", "the request has no body; send the trace file's bytes", "body");
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value?.length) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
