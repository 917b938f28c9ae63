import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering of docs/ARCHITECTURE.md, checked on the source (eslint.config.mjs says the same to the
 * editor): parsers, analyses and queries do not know about HTTP, and lib/errors.ts is a leaf.
 */
const ROOT = path.resolve(__dirname, "..");
const sources = (dir: string): string[] =>
  fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name);
    if (d.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(d.name) ? [rel] : [];
  });
const specifiers = (text: string) =>
  [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2]);
const importsOf = (file: string) => specifiers(fs.readFileSync(path.join(ROOT, file), "utf8"));
/** Where an import specifier points, as a repo path ("lib/api/handler"), or null for a package. */
const target = (file: string, spec: string) =>
  spec.startsWith("@/")
    ? spec.slice(2)
    : spec.startsWith(".")
      ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec))
      : null;

describe("layering", () => {
  it.each(["lib/trace", "lib/analysis", "lib/import", "lib/db"])("%s imports nothing from lib/api", (dir) => {
    const files = sources(dir);
    expect(files.length).toBeGreaterThan(0);
    const offending = files.flatMap((f) =>
      importsOf(f)
        .filter((s) => /^lib\/api(\/|$)/.test(target(f, s) ?? ""))
        .map((s) => `${f} imports ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it("lib/errors.ts is a leaf: it imports nothing", () => {
    expect(importsOf("lib/errors.ts")).toEqual([]);
  });

  it("the check sees an import of lib/api, aliased or relative", () => {
    expect(target("lib/trace/x.ts", "@/lib/api/handler")).toBe("lib/api/handler");
    expect(target("lib/trace/binary/x.ts", "../../api/api-error")).toBe("lib/api/api-error");
    expect(
      specifiers(
        'import { a } from "@/lib/api/x";\nimport type {\n  B,\n} from "../api/y";\nconst c = await import("./z");',
      ),
    ).toEqual(["@/lib/api/x", "../api/y", "./z"]);
  });
});
