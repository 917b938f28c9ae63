import { badRequest } from "@/lib/errors";
import { assertTextDocument } from "./handler";

const MAX_BYTES = 32 * 1024 * 1024;

/** A JSON or CSV import's text, NUL-checked, with its format (the `format` parameter, else the first byte). */
export async function readImportDocument(
  req: Request,
  format: "json" | "csv" | undefined,
  what: string,
): Promise<{ text: string; format: "json" | "csv" }> {
  const text = await req.text();
  if (text.length > MAX_BYTES)
    throw badRequest("upload_too_large", `${what} imports are limited to ${MAX_BYTES} bytes (32 MiB)`, "body");
  assertTextDocument(text);
  return { text, format: format ?? (/^\s*[[{]/.test(text) ? "json" : "csv") };
}
