/**
 * Client figures: `npx tsx bench/client.ts`. Bundle size (raw and gzip), time from navigation to an
 * interactive lobby on localhost, and frame times in headless Chromium with 64 subnets while the
 * market animates a round's emission. Needs /usr/bin/chromium. FRAME_MODE=sleep|nopanels|noside|nobottom|
 * remove:SELECTOR takes parts of the page away first, to find what costs frames.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { matchMaker } from "@colyseus/core";
import { build } from "vite";
import { createArena } from "../server/app.js";
import { context } from "../server/context.js";
import { FileStore } from "../server/store.js";
import { resolveConfig } from "../shared/index.js";
import { hashToken } from "../server/tokens.js";
import { launch } from "../test/support/browser.js";

const PORT = 4791;
const outDir = mkdtempSync(join(tmpdir(), "arena-bench-client-"));
const dataDir = mkdtempSync(join(tmpdir(), "arena-bench-data-"));
await build({ configFile: "client/vite.config.ts", logLevel: "error", build: { outDir, emptyOutDir: true } });
let raw = 0;
let gz = 0;
for (const dir of [outDir, join(outDir, "assets")]) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (!statSync(p).isFile()) continue;
    raw += statSync(p).size;
    gz += gzipSync(readFileSync(p)).length;
  }
}
console.log(`bundle: ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip`);

const store = new FileStore(dataDir);
const arena = createArena({ store, clientDir: outDir, resolveSeconds: 1 });
await arena.listen(PORT, "127.0.0.1");
const browser = await launch();

// Time to an interactive lobby: navigation start to the lobby's name field accepting input.
const tti: number[] = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.waitForSelector("#name:not([disabled])");
  await page.fill("#name", "x");
  tti.push(Date.now() - t0);
  await page.close();
}
tti.sort((a, b) => a - b);
console.log(`navigation to interactive lobby: median ${tti[2]} ms (runs ${tti.join(", ")})`);

// A session with 64 subnets, hosted from the page, then frame times while rounds resolve.
const config = resolveConfig({ initialSubnets: 64, subnetLimit: 64, rounds: 10 });
if (!config.ok) throw new Error(config.error.message);
const code = "BENCH6";
const hostToken = "bench-host-token";
store.create({ code, createdAt: Date.now(), hostTokenHash: hashToken(hostToken), config: config.value, seed: 7, quickPlay: false, roundSeconds: 600, resolveSeconds: 1, maxSpectators: 5 });
context().authorisedCodes.add(code);
await matchMaker.createRoom("market", { code });
const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
await page.goto(`http://127.0.0.1:${PORT}/`);
{
  await page.evaluate(([c, t]) => localStorage.setItem(`dtao-arena.host.${c}`, t), [code, hostToken]);
  await page.goto(`http://127.0.0.1:${PORT}/join/${code}`);
}
await page.waitForFunction(() => (window as any).__arena?.mode === "game");
await page.click("#host-start");
await page.waitForFunction(() => (window as any).__arena.store.get().state?.phase === "acting");
// Passed as source text: tsx would otherwise inject its `__name` helper into the page function.
const mode = process.env.FRAME_MODE ?? "";
if (mode === "sleep") await page.evaluate("window.__arena.game.loop.sleep()");
if (mode === "nopanels") await page.evaluate("document.querySelector('.side').remove(); document.querySelector('.bottom').remove()");
if (mode === "noside") await page.evaluate("document.querySelector('.side').remove()");
// FRAME_MODE=remove:SELECTOR takes one part of the page away, to find what costs frames.
if (mode.startsWith("remove:")) await page.evaluate(`document.querySelector(${JSON.stringify(mode.slice(7))})?.remove()`);
if (mode === "nobottom") await page.evaluate("document.querySelector('.bottom').remove()");
if (process.env.FRAME_MUTATIONS) await page.evaluate(`(() => {
  window.__mut = {};
  new MutationObserver((ms) => { for (const m of ms) { const t = m.target.nodeType === 3 ? m.target.parentElement : m.target; const k = m.type + " " + (t.closest("[id]")?.id ?? "?") + " " + (m.attributeName ?? ""); window.__mut[k] = (window.__mut[k] ?? 0) + 1; } })
    .observe(document.querySelector(".side"), { subtree: true, childList: true, attributes: true, characterData: true });
})()`);
const tracePath = process.env.FRAME_TRACE;
if (tracePath) await browser.startTracing(page, { path: tracePath, categories: (process.env.FRAME_TRACE_CATEGORIES ?? "devtools.timeline,disabled-by-default-devtools.timeline").split(",") });
const frames = (await page.evaluate(`(async () => {
  const deltas = [];
  let last = performance.now();
  const start = last;
  let advanced = 0;
  await new Promise((resolve) => {
    const step = (t) => {
      deltas.push(t - last);
      last = t;
      // Resolve a round every 2 s so emission animations run during the sample.
      if (t > start + 2000 * (advanced + 1) && advanced < 2) { advanced++; document.querySelector("#host-advance")?.click(); }
      if (t < start + 6000) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  });
  return deltas.slice(5);
})()`)) as number[];
if (tracePath) await browser.stopTracing();
// FRAME_SHOT=PREFIX: screenshots of the 64-subnet market, at the top and scrolled down.
if (process.env.FRAME_SHOT) {
  await page.screenshot({ path: `${process.env.FRAME_SHOT}-top.png` });
  await page.evaluate("document.querySelector('#market').scrollTop = 700");
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${process.env.FRAME_SHOT}-scrolled.png` });
}
if (process.env.FRAME_MUTATIONS) console.log("mutations in the side panel during the sample:", JSON.stringify(await page.evaluate("window.__mut")));
const paintMs = (await page.evaluate("window.__arena.paintMs")) as Record<string, number>;
console.log(`time painting during the sample, by panel: ${Object.entries(paintMs).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`);
frames.sort((a, b) => a - b);
const p = (q: number) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
console.log(`frame time with 64 subnets (headless Chromium, SwiftShader WebGL): p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms over ${frames.length} frames`);
await page.screenshot({ path: join(tmpdir(), "arena-bench-64.png") });
await browser.close();
await arena.shutdown();
rmSync(outDir, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
