import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { USAGE } from "@/bin/usage.mjs";
import { parseUsage } from "./cli-usage";

const CLI = path.resolve(__dirname, "../../bin/moe-atlas.mjs");

describe("the CLI page's reading of the usage text", () => {
  it("is the text the CLI itself prints", () => {
    expect(execFileSync(process.execPath, [CLI, "--help"], { encoding: "utf8" }).trimEnd()).toBe(USAGE.trimEnd());
  });
  it("finds every command line of the usage, with its options and description, and drops no word", () => {
    const u = parseUsage(USAGE);
    const commandLines = USAGE.split("\n").filter((l) => /^ {2}moe-atlas\s/.test(l));
    expect(u.commands).toHaveLength(commandLines.length);
    expect(u.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(["ingest", "runs", "presets", "export", "pruning import", "quant list"]),
    );
    const ingest = u.commands.find((c) => c.name === "ingest")!;
    expect(ingest.options).toEqual(
      expect.arrayContaining(["--run", "--new", "--model", "--format", "--map", "--label", "--tag"]),
    );
    expect(u.commands.find((c) => c.name === "export")!.description).toMatch(/as JSON/);
    expect(u.notes.join(" ")).toMatch(/MOE_ATLAS_URL/);
    // Every word of the usage lands somewhere on the page.
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    const rendered = [u.title, ...u.commands.flatMap((c) => [c.synopsis, c.description]), ...u.notes].flatMap(words);
    expect(rendered.sort()).toEqual(words(USAGE).sort());
    expect(new Set(u.commands.map((c) => c.id)).size).toBe(u.commands.length);
  });
});
