import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";

/** Every route handler under app/api, as an OpenAPI path with its methods. */
function routes(dir = path.join(__dirname, "../app/api"), prefix = "/api"): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routes(full, `${prefix}/${entry.name.replace(/^\[(.+)\]$/, "{$1}")}`));
    else if (entry.name === "route.ts") {
      const src = fs.readFileSync(full, "utf8");
      out.push([prefix, ["GET", "POST", "PATCH", "PUT", "DELETE"].filter((m) => new RegExp(`export const ${m}\\b`).test(src))]);
    }
  }
  return out;
}

describe("the OpenAPI document", () => {
  it("describes every route handler and every method it exports", () => {
    const paths = openApiDocument.paths as Record<string, Record<string, unknown>>;
    const found = routes();
    expect(found.length).toBeGreaterThan(15);
    for (const [p, methods] of found) {
      expect(paths, `missing path ${p}`).toHaveProperty([p]);
      for (const m of methods) expect(paths[p], `${m} ${p} is not described`).toHaveProperty([m.toLowerCase()]);
    }
    // And nothing it describes is gone.
    expect(Object.keys(paths).sort()).toEqual(found.map(([p]) => p).sort());
  });
});
