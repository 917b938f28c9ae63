/**
 * The CLI's usage text (bin/usage.mjs, what `moe-atlas --help` prints) read into commands for the
 * /docs/cli page. Layout it relies on: a title line; command lines starting "  moe-atlas ", each
 * optionally followed by more-indented continuation lines, the description after a gap of two or
 * more spaces; after a blank line, notes. Any other line is kept as a note, so nothing is dropped.
 */
export interface CliCommand {
  /** "ingest", "pruning import": the words before the first argument or option. */
  name: string;
  /** The full invocation, continuation lines joined. */
  synopsis: string;
  description: string;
  /** --flags the synopsis names, in order. */
  options: string[];
  /** Anchor on the page. */
  id: string;
}

export interface CliUsage {
  title: string;
  commands: CliCommand[];
  notes: string[];
}

const COMMAND = /^ {2}moe-atlas\s/;

export function parseUsage(usage: string): CliUsage {
  const lines = usage.split("\n");
  const title = lines[0]?.trim() ?? "";
  const commands: CliCommand[] = [];
  const notes: string[] = [];
  let current: { synopsis: string[]; description: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const synopsis = current.synopsis.join(" ");
    const words = synopsis.split(/\s+/).slice(1);
    const nameWords: string[] = [];
    for (const w of words) {
      if (/^[<[(-]/.test(w)) break;
      nameWords.push(w);
    }
    const name = nameWords.join(" ");
    const base = `cmd-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
    const taken = commands.filter((c) => c.id === base || c.id.startsWith(`${base}--`)).length;
    commands.push({
      name,
      synopsis,
      description: current.description.join(" "),
      options: [...new Set(synopsis.match(/--[a-z][a-z0-9-]*/g) ?? [])],
      id: taken ? `${base}--${taken + 1}` : base,
    });
    current = null;
  };
  for (const line of lines.slice(1)) {
    if (COMMAND.test(line)) {
      flush();
      current = { synopsis: [], description: [] };
      const [syn, ...desc] = line.trim().split(/\s{2,}/);
      current.synopsis.push(syn);
      if (desc.length) current.description.push(desc.join(" "));
    } else if (current && /^ {3,}\S/.test(line)) {
      const [syn, ...desc] = line.trim().split(/\s{2,}/);
      current.synopsis.push(syn);
      if (desc.length) current.description.push(desc.join(" "));
    } else {
      flush();
      if (line.trim()) notes.push(line.trim());
    }
  }
  flush();
  return { title, commands, notes };
}
