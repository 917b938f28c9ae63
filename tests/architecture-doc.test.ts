import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BATCH_SIZE, UPLOAD_BATCH_SIZE } from "@/lib/trace/ingest-trace";
import { MAX_PENDING } from "@/lib/trace/transition-joiner";
import { MAX_HELD } from "@/lib/trace/warmup";

/** docs/ARCHITECTURE.md stays true: its code map names every folder, and the numbers it states are the code's. */
const ROOT = path.resolve(__dirname, "..");
const doc = fs.readFileSync(path.join(ROOT, "docs/ARCHITECTURE.md"), "utf8");
const section = (title: string) =>
  doc.slice(doc.indexOf(`## ${title}`), doc.indexOf("\n## ", doc.indexOf(`## ${title}`) + 3) >>> 0 || undefined);
const codeMap = section("Code map");
const named = new Set([...codeMap.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
const dirs = (at: string) =>
  fs
    .readdirSync(path.join(ROOT, at), { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        !d.name.startsWith(".") &&
        !["node_modules", "test-results", "playwright-report"].includes(d.name),
    )
    .map((d) => (at ? `${at}/${d.name}/` : `${d.name}/`));
const n = (x: number) => x.toLocaleString("en-US");

describe("docs/ARCHITECTURE.md", () => {
  it("the code map names every top-level folder and every folder and file of lib/ and components/", () => {
    const wanted = [
      ...dirs("").filter((d) => d !== "lib/" && d !== "components/"),
      ...dirs("lib"),
      ...dirs("components"),
      ...fs
        .readdirSync(path.join(ROOT, "lib"))
        .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".test.ts"))
        .map((f) => `lib/${f}`),
    ];
    expect(wanted.length).toBeGreaterThan(30);
    expect(wanted.filter((d) => !named.has(d))).toEqual([]);
  });

  it("states the batch sizes and memory caps the code uses", () => {
    const invariants = section("Invariants");
    expect(invariants).toContain(`${n(UPLOAD_BATCH_SIZE)} events on\n  the upload path`);
    expect(invariants).toContain(`${n(DEFAULT_BATCH_SIZE)} when a caller does not`);
    expect(invariants).toContain(`${n(MAX_HELD)} undecided events`);
    expect(invariants).toContain(`${n(MAX_PENDING)} pending entries`);
  });

  it("names only files that exist (a bare name is in one of its row's folders)", () => {
    const missing = codeMap
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .flatMap((line) => {
        const [, first, rest] = line.split("|");
        const isDir = (p: string) => fs.existsSync(path.join(ROOT, p)) && fs.statSync(path.join(ROOT, p)).isDirectory();
        const folders = [...first.matchAll(/`([^`]+\/)`/g)].map((m) => m[1]);
        // Folders named inside the row too (`binary/`, `bench/placement`), root-relative or in a row folder.
        const tokens = [...(first + rest).matchAll(/`([^`*]+)`/g)].map((m) => m[1].replace(/\/?$/, "/"));
        const inner = tokens.flatMap((t) => [t, ...folders.map((d) => d + t)]).filter(isDir);
        const files = [...(first + rest).matchAll(/`([^`*]+\.(?:tsx?|mjs|md|sh))`/g)].map((m) => m[1]);
        return files.filter(
          (f) => ![f, ...[...folders, ...inner].map((d) => d + f)].some((p) => fs.existsSync(path.join(ROOT, p))),
        );
      });
    expect(missing).toEqual([]);
  });
});
