#!/usr/bin/env node
// The MoE Atlas command line: push traces to a server, create runs, read results.
// Plain ESM on Node's standard library, so `npx moe-atlas` works without a build step.
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
// The usage text lives in its own module so the app's /docs/cli page renders the same text.
import { USAGE } from "./usage.mjs";
import readline from "node:readline";

const TRACE_EXT = [".jsonl", ".ndjson", ".npy", ".npz", ".safetensors", ".json"];

class CliError extends Error {}

function options(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: "string" },
      new: { type: "boolean" },
      model: { type: "string" },
      name: { type: "string" },
      format: { type: "string" },
      map: { type: "string" },
      label: { type: "string" },
      tag: { type: "string", multiple: true },
      "exclude-warmup": { type: "boolean" },
      tags: { type: "string" },
      description: { type: "string" },
      visibility: { type: "string" },
      policy: { type: "string" },
      series: { type: "string" },
      step: { type: "string" },
      sort: { type: "string" },
      order: { type: "string" },
      yes: { type: "boolean", short: "y" },
      layer: { type: "string" },
      slots: { type: "string" },
      gpus: { type: "string" },
      nodes: { type: "string" },
      groups: { type: "string" },
      strategy: { type: "string" },
      window: { type: "string" },
      "window-index": { type: "string" },
      "max-load-ratio": { type: "string" },
      "layer-offset": { type: "string" },
      out: { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const url = (values.url ?? process.env.MOE_ATLAS_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
  const token = values.token ?? process.env.MOE_ATLAS_TOKEN;
  return { values, positionals, url, token };
}

async function api(o, method, pathname, body, headers = {}) {
  let res;
  try {
    res = await fetch(o.url + pathname, {
      method,
      body,
      duplex: body && typeof body !== "string" ? "half" : undefined,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...headers },
    });
  } catch (e) {
    throw new CliError(
      `cannot reach ${o.url} (${e.cause?.code ?? e.message}); is the server running? (--url / MOE_ATLAS_URL)`,
    );
  }
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, ok: res.ok, json, text };
}

function failure(r) {
  const e = r.json?.error;
  return e
    ? `${r.status} ${e.code}: ${e.message}${e.where ? ` (at ${e.where})` : ""}`
    : `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
}

function collect(inputs) {
  const files = [];
  const walk = (p) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new CliError(`${p}: no such file or folder`);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        const child = path.join(p, name);
        if (fs.statSync(child).isDirectory() || TRACE_EXT.includes(path.extname(name).toLowerCase())) walk(child);
      }
    } else files.push(p);
  };
  inputs.forEach(walk);
  if (!files.length) throw new CliError(`no trace files in ${inputs.join(", ")}`);
  return files;
}

/**
 * Why a .json file is not uploaded, or null: folders of results hold JSON documents of all kinds
 * (configs, statistics), and only aggregates (or JSONL under a .json name) are traces.
 */
function jsonDocumentNotAggregate(file) {
  if (path.extname(file).toLowerCase() !== ".json") return null;
  const fd = fs.openSync(file, "r");
  const head = Buffer.alloc(65536);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const text = head.subarray(0, n).toString("utf8");
  if (/"format"\s*:\s*"moe-atlas\.aggregate\.v1"/.test(text)) return null;
  const firstLine = text.trimStart().split("\n", 1)[0];
  try {
    const first = JSON.parse(firstLine);
    // One routing event per line under a .json name: a trace after all.
    if (
      first &&
      typeof first === "object" &&
      ["experts", "expert_ids", "topk_ids", "selected_experts"].some((k) => k in first)
    )
      return null;
  } catch {
    // Not one object per line: a JSON document.
  }
  const format = text.match(/"format"\s*:\s*("(?:[^"\\]|\\.){0,80}")/)?.[1];
  return `a JSON document that is not a MoE Atlas aggregate (${format ? `its "format" is ${format}` : 'it has no "format" field'}, not "moe-atlas.aggregate.v1", and it is not one routing event per line); convert it to moe-atlas.aggregate.v1, or pass --format to upload it anyway`;
}

const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

/** A progress line on stderr: a bar when it is a terminal, a line every few seconds when not. */
function progress(label, total) {
  const tty = process.stderr.isTTY;
  const start = Date.now();
  let last = 0;
  return {
    update(sent) {
      const now = Date.now();
      if (!tty && now - last < 3000 && sent < total) return;
      last = now;
      const frac = total ? sent / total : 1;
      const rate = sent / Math.max(0.001, (now - start) / 1000);
      const width = 28;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
      const line = `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mib(sent)}/${mib(total)} ${mib(rate)}/s`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write("\n");
    },
  };
}

async function uploadFile(o, runId, file) {
  const size = fs.statSync(file).size;
  const bar = progress(path.basename(file), size);
  let sent = 0;
  const counter = new Transform({
    transform(chunk, _enc, cb) {
      sent += chunk.length;
      bar.update(sent);
      cb(null, chunk);
    },
  });
  const q = new URLSearchParams({ filename: path.basename(file), key: randomUUID() });
  for (const k of ["format", "map", "label"]) if (o.values[k]) q.set(k, o.values[k]);
  if (o.values["exclude-warmup"]) q.set("exclude_warmup", "1");
  const body = Readable.toWeb(fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter));
  const r = await api(o, "POST", `/api/runs/${runId}/traces?${q}`, body, {
    "content-type": "application/octet-stream",
  });
  bar.update(size);
  bar.done();
  return r;
}

async function ingest(o) {
  const files = collect(o.positionals);
  let runId = o.values.run;
  if (o.values.new) {
    if (runId) throw new CliError("give --run or --new, not both");
    if (!o.values.model || !o.values.name) throw new CliError("--new needs --model <preset> and --name <name>");
    const r = await api(
      o,
      "POST",
      "/api/runs",
      JSON.stringify({
        name: o.values.name,
        model: { preset: o.values.model },
        tags: o.values.tag,
        policy: o.values.policy,
        visibility: o.values.visibility,
        series: o.values.series,
        step: stepValue(o.values.step),
      }),
      { "content-type": "application/json" },
    );
    if (!r.ok) throw new CliError(`creating the run failed: ${failure(r)}`);
    runId = r.json.id;
    console.log(`created run ${runId} (${o.values.name}, ${o.values.model}): ${o.url}/runs/${runId}`);
  }
  if (!runId) throw new CliError("which run? --run <id>, or --new --model <preset> --name <name>");
  let events = 0;
  let failed = 0;
  let duplicates = 0;
  let skipped = 0;
  for (const file of files) {
    const notAggregate = o.values.format ? null : jsonDocumentNotAggregate(file);
    if (notAggregate) {
      skipped++;
      console.log(`${file}: skipped: ${notAggregate}`);
      continue;
    }
    const r = await uploadFile(o, runId, file);
    if (r.ok) {
      events += r.json.events;
      console.log(`${file}: ${r.json.events} events, ${r.json.tokens} tokens, format ${r.json.format}`);
      for (const w of r.json.warnings) console.log(`  warning: ${w.message}${w.where ? ` (first at ${w.where})` : ""}`);
    } else if (r.status === 409) {
      duplicates++;
      console.log(`${file}: already ingested, not counted again (${r.json?.error?.message ?? "duplicate"})`);
    } else {
      failed++;
      console.error(`${file}: refused, nothing stored: ${failure(r)}`);
    }
  }
  console.log(
    `done: ${files.length - failed - duplicates - skipped} file(s) ingested, ${duplicates} already there, ${skipped} skipped, ${failed} refused; ${events} events. ${o.url}/runs/${runId}`,
  );
  return failed ? 1 : 0;
}

async function main(argv) {
  const o = options(argv);
  const [cmd, ...rest] = o.positionals;
  o.positionals = rest;
  if (o.values.help || !cmd) {
    console.log(USAGE);
    return cmd || o.values.help ? 0 : 2;
  }
  if (cmd === "ingest") {
    if (!rest.length) throw new CliError("ingest needs files or folders");
    return ingest(o);
  }
  if (cmd === "runs" && rest[0] && rest[0] !== "list") return manageRun(o);
  if (cmd === "uploads") return manageUploads(o);
  if (cmd === "shares") return deleteRecord(o, "share", "/api/shares");
  if (cmd === "runs" || cmd === "presets" || cmd === "export") {
    const target =
      cmd === "runs"
        ? `/api/runs${listQuery(o)}`
        : cmd === "presets"
          ? "/api/models/presets"
          : o.values.layer !== undefined
            ? `/api/runs/${rest[0]}/layers/${o.values.layer}`
            : `/api/runs/${rest[0]}`;
    if (cmd === "export" && !rest[0]) throw new CliError("export needs a run id");
    const r = await api(o, "GET", target);
    if (!r.ok) throw new CliError(failure(r));
    if (cmd === "runs")
      for (const run of r.json.runs)
        console.log(`${run.id}\t${run.model.name}\t${run.events} events\t${run.policy}\t${run.name}`);
    else if (cmd === "presets")
      for (const p of r.json.presets)
        console.log(`${p.id}\t${p.layers} layers\ttop-${p.topK} of ${p.experts}\t${p.name}`);
    else console.log(JSON.stringify(r.json, null, 2));
    return 0;
  }
  if (cmd === "pruning" || cmd === "quant") return results(o, cmd);
  if (cmd === "plan") return plan(o);
  throw new CliError(`unknown command "${cmd}"\n\n${USAGE}`);
}

/** A number option as an integer (or a number with `real`), or undefined when absent; a clear error otherwise. */
function numberOption(o, name, real = false) {
  const v = o.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (!real && !Number.isInteger(n)))
    throw new CliError(`--${name} must be ${real ? "a number" : "an integer"}, not "${v}"`);
  return n;
}

/** A serving plan (POST /api/runs/{id}/plan): a summary per layer, or with --format an engine's file. */
async function plan(o) {
  const [runId] = o.positionals;
  if (!runId) throw new CliError("plan needs a run id");
  const body = {
    slots: numberOption(o, "slots"),
    gpus: numberOption(o, "gpus"),
    nodes: numberOption(o, "nodes"),
    groups: numberOption(o, "groups"),
    strategy: o.values.strategy ?? "optimized",
    maxLoadRatio: numberOption(o, "max-load-ratio", true),
    window: o.values.window ? { tokens: numberOption(o, "window"), index: numberOption(o, "window-index") } : undefined,
    export: o.values.format,
    layerOffset: numberOption(o, "layer-offset"),
  };
  if (body.slots === undefined || body.gpus === undefined) throw new CliError("plan needs --slots and --gpus");
  const r = await api(o, "POST", `/api/runs/${runId}/plan`, JSON.stringify(body), {
    "content-type": "application/json",
  });
  if (!r.ok) throw new CliError(failure(r));
  const p = r.json;
  if (p.file) {
    if (o.values.out) {
      fs.writeFileSync(o.values.out, p.file.content);
      console.error(`wrote ${p.file.format} ${p.file.name} to ${o.values.out}`);
    } else process.stdout.write(p.file.content);
    return 0;
  }
  const f = (x, d = 3) => (x === null || x === undefined ? "-" : x.toFixed(d));
  console.log("layer\tbalancedness\tctGpu\tctNode\tbefore ctNode");
  p.layers.forEach((l, i) =>
    console.log(`${i}\t${f(l.balancedness, 4)}\t${f(l.ctGpu)}\t${f(l.ctNode)}\t${f(l.before.ctNode)}`),
  );
  console.log(
    `mean\t${f(p.balancednessMean, 4)}\t${f(p.ctGpuMean)}\t${f(p.ctNodeMean)}\t${f(p.before.ctNodeMean)}\t(${p.strategy}, EPLB policy ${p.policy}, ${p.gpus} GPUs x ${p.slotsPerGpu} slots, ${p.nodes} node(s))`,
  );
  return 0;
}

/** Pruning runs and quantization results: import a JSON or CSV file, or list them. */
async function results(o, kind) {
  const [sub, file] = o.positionals;
  const base = kind === "pruning" ? "/api/pruning-runs" : "/api/quant-results";
  const model = o.values.model ? `model=${encodeURIComponent(o.values.model)}` : "";
  if (sub === "import") {
    if (!file) throw new CliError(`${kind} import needs a file`);
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${e.message}`);
    }
    const format = file.toLowerCase().endsWith(".csv") ? "csv" : "json";
    const r = await api(o, "POST", `${base}/import?format=${format}${model ? `&${model}` : ""}`, text, {
      "content-type": format === "csv" ? "text/csv" : "application/json",
    });
    if (!r.ok) {
      console.error(`moe-atlas: ${file}: refused, nothing stored: ${failure(r)}`);
      return 1;
    }
    for (const x of r.json.created)
      console.log(
        `${x.id}\t${x.model.name}\t${kind === "pruning" ? `${x.label} ${x.schedule}\t${x.steps.length} steps` : `${x.avgBits.toFixed(2)} avg bits`}\t${x.name}`,
      );
    console.log(
      `stored ${r.json.created.length} ${kind === "pruning" ? "pruning run(s)" : "quantization result(s)"} from ${file}`,
    );
    return 0;
  }
  if (sub === "list") {
    const r = await api(o, "GET", `${base}${model ? `?${model}` : ""}`);
    if (!r.ok) throw new CliError(failure(r));
    const rows = kind === "pruning" ? r.json.pruningRuns : r.json.quantResults;
    for (const x of rows)
      console.log(
        `${x.id}\t${x.model.name}\t${kind === "pruning" ? `${x.label} ${x.schedule}` : `${x.avgBits.toFixed(2)} avg bits`}\t${x.name}`,
      );
    return 0;
  }
  if (sub === "delete")
    return deleteRecord(
      { ...o, positionals: o.positionals.slice(1) },
      kind === "pruning" ? "pruning run" : "quantization result",
      base,
    );
  throw new CliError(`${kind} needs a subcommand: import, list or delete`);
}

function listQuery(o) {
  const q = new URLSearchParams();
  for (const k of ["sort", "order", "policy", "series"]) if (o.values[k]) q.set(k, o.values[k]);
  return q.size ? `?${q}` : "";
}

/** Asks on stdin; anything but y/yes is a no. A closed stdin (no terminal, no --yes) is a no too. */
async function confirm(o, question) {
  if (o.values.yes) return true;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise((resolve) => {
    rl.on("close", () => resolve(""));
    rl.question(`${question} [y/N] `, resolve);
  });
  rl.close();
  return /^y(es)?$/i.test(String(answer).trim());
}

/** --step as the integer the API takes (it says what is wrong instead of sending NaN). */
function stepValue(v) {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new CliError(`--step must be an integer >= 0, not "${v}"`);
  return Number(v);
}

/** runs update <id> ... | runs delete <id> */
async function manageRun(o) {
  const [sub, id] = o.positionals;
  if (!id) throw new CliError(`runs ${sub} needs a run id`);
  if (sub === "update") {
    const body = {};
    for (const k of ["name", "description", "visibility", "policy"])
      if (o.values[k] !== undefined) body[k] = o.values[k];
    if (o.values.series !== undefined) body.series = o.values.series === "" ? null : o.values.series;
    if (o.values.step !== undefined) body.step = o.values.step === "" ? null : stepValue(o.values.step);
    if (o.values.tags !== undefined)
      body.tags = o.values.tags
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    if (!Object.keys(body).length)
      throw new CliError(
        "runs update needs at least one of --name, --description, --tags, --visibility, --policy, --series, --step",
      );
    const r = await api(o, "PATCH", `/api/runs/${id}`, JSON.stringify(body), { "content-type": "application/json" });
    if (!r.ok) throw new CliError(`updating run ${id} failed: ${failure(r)}`);
    const x = r.json;
    console.log(
      `updated run ${x.id}: ${x.name} · ${x.visibility} · policy ${x.policy}${x.tags.length ? ` · tags ${x.tags.join(", ")}` : ""}${x.series !== null ? ` · series ${x.series} step ${x.step}` : ""}`,
    );
    return 0;
  }
  if (sub === "delete") {
    const run = await api(o, "GET", `/api/runs/${id}`);
    if (!run.ok) throw new CliError(failure(run));
    const x = run.json;
    if (
      !(await confirm(
        o,
        `Delete run "${x.name}" (${x.id}): ${x.uploads.length} upload(s), ${x.events} events, with its pruning runs, quantization results and shares?`,
      ))
    ) {
      console.error("not deleted");
      return 1;
    }
    const r = await api(o, "DELETE", `/api/runs/${id}`);
    if (!r.ok) throw new CliError(`deleting run ${id} failed: ${failure(r)}`);
    const d = r.json.deleted;
    console.log(
      `deleted run ${d.id} (${d.name}): ${d.uploads} upload(s), ${d.pruningRuns} pruning run(s), ${d.quantResults} quantization result(s), ${d.shares} share(s)`,
    );
    return 0;
  }
  throw new CliError(`runs needs a subcommand: list, update or delete (not "${sub}")`);
}

/** uploads list <run> | uploads delete <run> <upload> */
async function manageUploads(o) {
  const [sub, runId, uploadId] = o.positionals;
  if (!runId) throw new CliError("uploads list|delete needs a run id");
  const run = await api(o, "GET", `/api/runs/${runId}`);
  if (!run.ok) throw new CliError(failure(run));
  if (sub === "list") {
    for (const u of run.json.uploads)
      console.log(`${u.id}\t${u.format}\t${u.events} events\t${u.tokens} tokens\t${u.fileName ?? ""}`);
    return 0;
  }
  if (sub === "delete") {
    if (!uploadId) throw new CliError("uploads delete needs a run id and an upload id (moe-atlas uploads list <run>)");
    const u = run.json.uploads.find((x) => x.id === uploadId);
    const what = u ? `upload ${u.id} (${u.fileName ?? u.format}, ${u.events} events)` : `upload ${uploadId}`;
    if (!(await confirm(o, `Take ${what} out of run "${run.json.name}"?`))) {
      console.error("not deleted");
      return 1;
    }
    const r = await api(o, "DELETE", `/api/runs/${runId}/uploads/${uploadId}`);
    if (!r.ok) throw new CliError(`deleting ${what} failed: ${failure(r)}`);
    console.log(`deleted ${what}; run ${runId} now counts ${r.json.run.events} events, ${r.json.run.tokens} tokens`);
    return 0;
  }
  throw new CliError("uploads needs a subcommand: list or delete");
}

/** pruning delete <id> | quant delete <id> | shares delete <id> */
async function deleteRecord(o, what, base) {
  const [id] = o.positionals[0] === "delete" ? o.positionals.slice(1) : o.positionals;
  if (what === "share" && o.positionals[0] !== "delete") throw new CliError("shares needs a subcommand: delete");
  if (!id) throw new CliError(`deleting a ${what} needs its id`);
  if (!(await confirm(o, `Delete ${what} ${id}?`))) {
    console.error("not deleted");
    return 1;
  }
  const r = await api(o, "DELETE", `${base}/${id}`);
  if (!r.ok) throw new CliError(`deleting ${what} ${id} failed: ${failure(r)}`);
  console.log(`deleted ${what} ${id}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(
      `moe-atlas: ${e instanceof CliError || e?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? e.message : (e?.stack ?? e)}`,
    );
    process.exit(2);
  },
);
