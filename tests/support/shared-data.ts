import fs from "node:fs";
import path from "node:path";

/** ../shared/data beside the project; tests that need it fail loudly when it is missing. */
export const SHARED_DATA = path.resolve(__dirname, "../../../shared/data");

export function sharedFile(rel: string): string {
  const p = path.join(SHARED_DATA, rel);
  if (!fs.existsSync(p)) {
    throw new Error(
      `${p} is missing: these tests read the real data in ../shared/data (see DEVELOPERS.md); it must sit beside the project`,
    );
  }
  return p;
}
