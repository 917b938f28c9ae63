import { execFileSync } from "node:child_process";
import fs from "node:fs";

/** Debian's python3 with numpy (not the pyenv python first on PATH); tests fail loudly without it. */
export const PYTHON = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";

export function runPython(script: string, args: string[]): string {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install Debian's python3-numpy (.ci/run does)`);
  try {
    return execFileSync(PYTHON, [script, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`${PYTHON} ${script} failed (is python3-numpy installed?): ${err.stderr ?? e}`);
  }
}
