/**
 * Headless Chromium half of bench/explorer (Debian's /usr/bin/chromium through playwright-core),
 * bundled by run.ts and run with node:
 *
 *   node browser.mjs heatmap OUT_DIR PAGE_BUNDLE          draw real layer answers with draw-heatmap.ts
 *   node browser.mjs explorer BASE_URL RUN_ID SWITCHES    the real explorer page: layer switches end to end
 *
 * Prints one JSON line.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { stats } from "./stats";

const CHROMIUM = process.env.ATLAS_CHROMIUM ?? "/usr/bin/chromium";
type Bench = {
  load(text: string): number;
  loadFrame(base64: string): number;
  draw(scale: string, reps: number, readback: boolean): { full: number[]; draw: number[]; cell: number; size: number };
  probe(): number[];
};
declare const atlasBench: Bench;

async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}

async function heatmap(dir: string, bundle: string) {
  const browser = await launch();
  const script = fs.readFileSync(bundle, "utf8");
  const parse: number[] = [];
  const cold: Record<string, number[]> = { linear: [], log: [], frameLinear: [], frameLog: [] };
  const full: Record<string, number[]> = { linear: [], log: [], frameLinear: [], frameLog: [] };
  const drawOnly: Record<string, number[]> = { linear: [], log: [], frameLinear: [], frameLog: [] };
  const readback: Record<string, number[]> = { linear: [], log: [], frameLinear: [], frameLog: [] };
  const decodeFrame: number[] = [];
  let geometry = { cell: 0, size: 0 };
  let probe: number[] = [];
  const probes: Record<string, number[]> = {};
  for (const norm of NORMALIZATIONS) {
    const text = fs.readFileSync(path.join(dir, `layer21-${norm}.json`), "utf8");
    const frame = fs.readFileSync(path.join(dir, `layer21-${norm}.frame`)).toString("base64");
    for (const scale of ["linear", "log", "frameLinear", "frameLog"] as const) {
      // A fresh page per (normalization, scale): its first draw runs cold (not yet optimized by V8).
      const page = await browser.newPage();
      await page.setContent("<!doctype html><html><body style='margin:0'></body></html>");
      await page.addScriptTag({ content: script });
      // JSON: parse, then the old view memo (flatten the rows); frame: decode into typed arrays.
      const fromFrame = scale.startsWith("frame");
      const kind = scale === "linear" || scale === "frameLinear" ? "linear" : "log";
      if (fromFrame) decodeFrame.push(await page.evaluate((b) => atlasBench.loadFrame(b), frame));
      else parse.push(await page.evaluate((t) => atlasBench.load(t), text));
      cold[scale].push((await page.evaluate((s) => atlasBench.draw(s, 1, false), kind)).full[0]);
      await page.evaluate((s) => atlasBench.draw(s, 10, false), kind); // warmup
      const warm = await page.evaluate((s) => atlasBench.draw(s, 100, false), kind);
      full[scale].push(...warm.full);
      drawOnly[scale].push(...warm.draw);
      readback[scale].push(...(await page.evaluate((s) => atlasBench.draw(s, 30, true), kind)).full);
      geometry = { cell: warm.cell, size: warm.size };
      probe = await page.evaluate(() => atlasBench.probe());
      probes[`${norm} ${scale}`] = probe;
      await page.close();
    }
  }
  const version = browser.version();
  await browser.close();
  const by = (r: Record<string, number[]>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, stats(v)]));
  // Both sources must draw the same pixels.
  for (const norm of NORMALIZATIONS) {
    for (const [a, b] of [
      ["linear", "frameLinear"],
      ["log", "frameLog"],
    ]) {
      if (String(probes[`${norm} ${a}`]) !== String(probes[`${norm} ${b}`]))
        throw new Error(
          `${norm}: JSON and frame draw different pixels (${probes[`${norm} ${a}`]} vs ${probes[`${norm} ${b}`]})`,
        );
    }
  }
  console.log(
    JSON.stringify({
      chromium: version,
      geometry,
      probe,
      parseAnswer: stats(parse),
      decodeFrame: stats(decodeFrame),
      cold: by(cold),
      full: by(full),
      drawOnly: by(drawOnly),
      fullWithReadback: by(readback),
    }),
  );
}

/** The real explorer page: ArrowRight to the next layer, until the canvas has drawn it. */
async function explorer(base: string, runId: string, switches: number, transport: "frame" | "json") {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The explorer's JSON transport (kept for this comparison): localStorage atlas.transport=json.
  await page.addInitScript((t) => window.localStorage.setItem("atlas.transport", t), transport);
  // What went wrong, if a switch never draws: the page's errors and failed requests.
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  page.on("requestfailed", (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(`${base}/runs/${runId}/layers/0?norm=conditional`);
  await page.waitForSelector(
    '[data-testid="heatmap"][data-layer="0"] [data-testid="heatmap-canvas"][data-drawn]:not([data-drawn="0"])',
    { timeout: 60_000 },
  );
  const total: number[] = [];
  const frame: number[] = [];
  const fetchMs: number[] = [];
  const beforeFetch: number[] = [];
  const afterFetch: number[] = [];
  const longTasks: number[] = [];
  const sizes: { transfer: number; decoded: number }[] = [];
  type Switch = {
    total: number;
    frame: number;
    fetch: number;
    beforeFetch: number;
    afterFetch: number;
    longTasks: number;
    transfer: number;
    decoded: number;
  };
  for (let target = 1; target <= switches; target++) {
    // Arm the listeners in the page and wait until they are in place before pressing the key: on a
    // loaded machine the evaluate can reach the page after the key press (then the switch is never
    // seen and the run times out; every run of 2026-12-02 16:51 and 17:05 did, on layer 1).
    await page.evaluate((target) => {
      (window as unknown as { __atlasSwitch: Promise<Switch> }).__atlasSwitch = new Promise<{
        total: number;
        frame: number;
        fetch: number;
        beforeFetch: number;
        afterFetch: number;
        longTasks: number;
        transfer: number;
        decoded: number;
      }>((resolve, reject) => {
        let t0 = -1;
        // Main-thread tasks over 50 ms while the switch is under way (the browser's Long Tasks API).
        let longTasks = 0;
        const lt = new PerformanceObserver((list) => list.getEntries().forEach((e) => (longTasks += e.duration)));
        lt.observe({ type: "longtask" });
        window.addEventListener("keydown", () => (t0 = performance.now()), { capture: true, once: true });
        const done = () => {
          const hm = document.querySelector('[data-testid="heatmap"]');
          const cv = document.querySelector<HTMLCanvasElement>('[data-testid="heatmap-canvas"]');
          return (
            t0 >= 0 &&
            hm?.getAttribute("data-layer") === String(target) &&
            cv?.dataset.drawn &&
            cv.dataset.drawn !== start
          );
        };
        const start = document.querySelector<HTMLCanvasElement>('[data-testid="heatmap-canvas"]')?.dataset.drawn;
        const timer = setTimeout(() => reject(new Error(`layer ${target} not drawn in 30 s`)), 30_000);
        const obs = new MutationObserver(() => {
          if (!done()) return;
          obs.disconnect();
          clearTimeout(timer);
          const t1 = performance.now();
          lt.disconnect();
          requestAnimationFrame(() =>
            setTimeout(() => {
              const entry = performance
                .getEntriesByType("resource")
                .filter((e) => e.name.includes(`/layers/${target}?`) || e.name.includes(`/layers/${target}/frame?`))
                .pop() as PerformanceResourceTiming | undefined;
              resolve({
                total: t1 - t0,
                frame: performance.now() - t0,
                fetch: entry?.duration ?? NaN,
                beforeFetch: entry ? entry.startTime - t0 : NaN,
                afterFetch: entry ? t1 - entry.responseEnd : NaN,
                longTasks,
                transfer: entry?.transferSize ?? NaN,
                decoded: entry?.decodedBodySize ?? NaN,
              });
            }),
          );
        });
        obs.observe(document.body, {
          subtree: true,
          attributes: true,
          attributeFilter: ["data-drawn", "data-layer"],
        });
      });
    }, target);
    await page.waitForTimeout(50);
    await page.keyboard.press("ArrowRight");
    const wait = page.evaluate(() => (window as unknown as { __atlasSwitch: Promise<Switch> }).__atlasSwitch);
    const r = await wait.catch((e: Error) => {
      throw new Error(`${e.message}; ${problems.join(" | ") || "no page errors"}`);
    });
    total.push(r.total);
    frame.push(r.frame);
    fetchMs.push(r.fetch);
    beforeFetch.push(r.beforeFetch);
    afterFetch.push(r.afterFetch);
    longTasks.push(r.longTasks);
    sizes.push({ transfer: r.transfer, decoded: r.decoded });
  }
  // For a look at what was drawn (bench/out/explorer/explorer.png).
  await page
    .locator('[data-testid="heatmap"]')
    .screenshot({ path: path.join(process.env.ATLAS_BENCH_OUT ?? ".", `explorer-${transport}.png`) });
  await browser.close();
  const s2 = (xs: number[]) => stats(xs.slice(2));
  console.log(
    JSON.stringify({
      transport,
      switches,
      toDrawn: s2(total),
      toNextFrame: s2(frame),
      fetch: s2(fetchMs),
      beforeFetch: s2(beforeFetch),
      afterFetch: s2(afterFetch),
      longTasks: s2(longTasks),
      size: sizes[sizes.length - 1],
      // The samples themselves, so run.ts can pool the runs of one transport.
      raw: {
        toDrawn: total.slice(2),
        toNextFrame: frame.slice(2),
        fetch: fetchMs.slice(2),
        beforeFetch: beforeFetch.slice(2),
        afterFetch: afterFetch.slice(2),
        longTasks: longTasks.slice(2),
      },
    }),
  );
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "heatmap") await heatmap(args[0], args[1]);
  else if (mode === "explorer")
    await explorer(args[0], args[1], Number(args[2]), args[3] === "json" ? "json" : "frame");
  else throw new Error(`unknown mode ${mode}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
