/// <reference lib="dom" />
/**
 * End to end in a real headless Chromium against a real server serving the built client: a host
 * creates a session in one page, two students join from the join link in two others with different
 * roles, a student stakes and unstakes, a builder sets effort, the host advances rounds, every page
 * agrees on round and balances, a student reloads and keeps its seat, and the debrief shows.
 * Screenshots of each scene land in test-output/e2e/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { hasBrowser, launch, mustHaveBrowser, screenshotDir } from "./support/browser.js";
import { startServer, type TestServer } from "./support/server.js";
import { freePort } from "./support/ports.js";

// First free port in this file's range, so a second suite running on the machine cannot collide.
let PORT = 4671;
const run = hasBrowser || mustHaveBrowser;

// Each step drives three pages through a real server; on a loaded 2-core machine a step can take
// longer than the suite's 20 s default.
describe.runIf(run)("the game in a browser", { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let outDir: string;
  let host: Page;
  let ana: Page;
  let bo: Page;
  let code = "";
  const shots = screenshotDir();

  beforeAll(async () => {
    if (!hasBrowser) throw new Error("Chromium is required under CI (apt-get install chromium)");
    outDir = mkdtempSync(join(tmpdir(), "arena-client-"));
    await build({ configFile: "client/vite.config.ts", logLevel: "error", build: { outDir, emptyOutDir: true } });
    PORT = await freePort(4671, 4680);
    server = await startServer(PORT, { clientDir: outDir, resolveSeconds: 1 });
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const snap = (p: Page) => p.evaluate(() => (window as any).__arena.store.get());
  const mode = (p: Page) => p.evaluate(() => (window as any).__arena.mode as string);

  it("the host creates a session from the lobby and sees the code and QR", async () => {
    host = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    await host.goto(`http://127.0.0.1:${PORT}/`);
    await host.waitForSelector("#lobby");
    await host.screenshot({ path: `${shots}/01-lobby.png` });
    await host.fill("#rounds", "3");
    await host.fill("#roundSeconds", "600");
    // No bots: their trades could move SN1 between the preview and the submit, and the ticket's 1%
    // slippage limit would then (rightly) refuse the stake.
    await host.fill("#bots", "0");
    await host.click("#create");
    await host.waitForFunction(() => (window as any).__arena?.mode === "game" && (window as any).__arena.store.get().seat?.role === "host");
    code = (await snap(host)).state.code;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    await host.waitForFunction((c) => document.querySelector("#host-code")?.textContent?.includes(c), code);
    await host.waitForFunction(() => (document.querySelector("#host-qr") as HTMLImageElement | null)?.src?.startsWith("data:image"));
    await host.screenshot({ path: `${shots}/02-host-lobby.png` });
  });

  it("two students join from the link with different roles", async () => {
    ana = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await ana.goto(`http://127.0.0.1:${PORT}/join/${code}`);
    await ana.waitForSelector("#lobby");
    expect(await ana.inputValue("#code")).toBe(code);
    await ana.fill("#name", "Ana");
    await ana.click("#join");
    await ana.waitForFunction(() => (window as any).__arena?.mode === "game");
    bo = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await bo.goto(`http://127.0.0.1:${PORT}/join/${code}`);
    await bo.fill("#name", "Bo");
    await bo.check('input[name="role"][value="builder"]');
    await bo.click("#join");
    await bo.waitForFunction(() => (window as any).__arena?.mode === "game");
    expect((await snap(bo)).seat.role).toBe("builder");
    await host.waitForFunction(() => Object.keys((window as any).__arena.store.get().state.players).length >= 2);
  });

  it("a wrong code gets a clear message", async () => {
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${PORT}/join/ZZZZZZ`);
    await p.fill("#name", "Zed");
    await p.click("#join");
    await p.waitForFunction(() => /No session with that code/.test(document.querySelector("#lobby-error")?.textContent ?? ""));
    await p.close();
  });

  it("the host starts; the staker stakes and unstakes with a live preview and sees the balance change", async () => {
    await host.click("#host-start");
    await ana.waitForFunction(() => (window as any).__arena.store.get().state.phase === "acting");
    await ana.selectOption("#ticket-subnet", "1");
    // 10 τ: small against any starting pool (2,000 τ or more), so no large-impact confirmation step.
    await ana.fill("#ticket-amount", "10");
    await ana.waitForFunction(() => /τ/.test(document.querySelector("#pv-receive")?.textContent ?? "") || /α/.test(document.querySelector("#pv-receive")?.textContent ?? ""));
    await ana.screenshot({ path: `${shots}/03-staker-preview.png` });
    await ana.waitForSelector("#ticket-submit:not([disabled])"); // the preview must be ready first
    await ana.click("#ticket-submit");
    const me = async (p: Page) => p.evaluate(() => { const s = (window as any).__arena.store.get(); return s.state.players[s.seat.playerId]; });
    await ana.waitForFunction(() => { const s = (window as any).__arena.store.get(); return Number(s.state.players[s.seat.playerId].tao) <= 990; });
    const afterStake = await me(ana);
    expect(Number(afterStake.alpha["1"])).toBeGreaterThan(0);
    await ana.check("#ticket-side-unstake");
    await ana.fill("#ticket-amount", (Number(afterStake.alpha["1"]) / 2).toFixed(9));
    await ana.waitForSelector("#ticket-submit:not([disabled])"); // the preview must be ready first
    await ana.click("#ticket-submit");
    await ana.waitForFunction((before) => { const s = (window as any).__arena.store.get(); return Number(s.state.players[s.seat.playerId].tao) > before; }, Number(afterStake.tao));
    await ana.screenshot({ path: `${shots}/04-staker-after.png` });
  });

  it("the builder sets its effort split", async () => {
    await bo.waitForSelector("#effort");
    // Keyboard, as a user would: the slider runs from research (left) to product (right), step 5%.
    await bo.focus("#effort");
    for (let i = 0; i < 8; i++) await bo.keyboard.press("ArrowLeft");
    await bo.waitForFunction(() => /Research 90%/.test(document.querySelector("#effort-value")?.textContent ?? ""));
    await host.waitForFunction(() => {
      const s = (window as any).__arena.store.get();
      return Object.values(s.state.players).some((p: any) => p.name === "Bo" && p.research > 0.8);
    });
    await bo.screenshot({ path: `${shots}/05-builder-phone.png`, fullPage: true });
  });

  it("the host advances rounds and all pages agree on round and balances", async () => {
    await host.click("#host-advance");
    for (const p of [host, ana, bo]) await p.waitForFunction(() => { const s = (window as any).__arena.store.get().state; return s.round === 2 && s.phase === "acting"; }, null, { timeout: 15_000 });
    const anaId = (await snap(ana)).seat.playerId;
    // Everyone agrees on the round and on Ana's public row (the leaderboard's worth at the close);
    // Ana's page and the host's console agree on her holdings, which no other student is sent.
    const look = (p: Page) => p.evaluate((id) => {
      const st = (window as any).__arena.store.get().state;
      const a = st.players[id];
      return { round: st.round, block: st.block, pub: [a.name, a.role, a.worth], holdings: a.holdings ? [a.tao, a.rootStake, a.alpha] : null };
    }, anaId);
    const [h, a, b] = await Promise.all([host, ana, bo].map(look));
    expect(new Set([h, a, b].map((v) => JSON.stringify([v.round, v.block, v.pub]))).size).toBe(1);
    expect(a.holdings).not.toBeNull();
    expect(h.holdings).toEqual(a.holdings);
    expect(b.holdings).toBeNull();
    expect(a.pub[2]).toBeGreaterThan(0);
    await ana.screenshot({ path: `${shots}/06-market-round2.png` });
    await host.screenshot({ path: `${shots}/07-host-console.png` });
  });

  it("the portfolio shows each round's fees and slippage, on a laptop and on a phone", async () => {
    // Ana staked 10 τ and unstaked half in round 1: both trades paid a pool fee and slipped.
    const row = '#pf-income tr[data-round="1"]';
    await ana.waitForSelector(row);
    const cells = await ana.evaluate((sel) => {
      const tr = document.querySelector(sel)!;
      const fees = tr.querySelector("td.fees")!;
      return { fees: fees.getAttribute("data-fees"), text: fees.textContent, slippage: tr.querySelector("td.slip")!.getAttribute("data-slippage") };
    }, row);
    expect(Number(cells.fees)).toBeGreaterThan(0.005); // the stake's 0.005 τ (0.05% of 10 τ), plus the unstake's
    expect(Number(cells.slippage)).toBeGreaterThan(0);
    expect(cells.text).toMatch(/^−0\.00\d/);
    const income = (await snap(ana)).incomeHistory.find((x: any) => x.round === 1).income;
    expect(income.fees).toBe(cells.fees);
    expect(income.slippage).toBe(cells.slippage);
    // Bo earned nothing and did not trade: his record still came, with zero costs.
    const boIncome = (await snap(bo)).incomeHistory.find((x: any) => x.round === 1)?.income;
    expect(boIncome).toMatchObject({ fees: "0", slippage: "0" });
    // The side column (380 px) and a phone stack the two costs in one column and put the income's
    // worth now under what was earned; a wider panel (a tablet: one column) shows every column.
    const layout = () => ana.evaluate((sel) => {
      const tr = document.querySelector(sel)!;
      const shown = (c: string) => getComputedStyle(tr.querySelector(c)!).display !== "none";
      const wrap = document.querySelector("#pf-income")!.closest(".table-scroll")!;
      return { fees: shown("td.fees"), slip: shown("td.slip"), costs: shown("td.costs"), worth: shown("td.worth"), fits: wrap.scrollWidth <= wrap.clientWidth + 1 };
    }, row);
    const narrow = { fees: false, slip: false, costs: true, worth: false, fits: true };
    const shot = async (name: string) => { await ana.locator("#portfolio").scrollIntoViewIfNeeded(); await ana.locator("#portfolio").screenshot({ path: `${shots}/${name}` }); };
    await shot("06b-portfolio.png");
    expect(await layout()).toEqual(narrow);
    await ana.setViewportSize({ width: 390, height: 844 });
    await shot("06c-portfolio-phone.png");
    expect(await layout()).toEqual(narrow);
    await ana.setViewportSize({ width: 820, height: 1000 });
    await shot("06d-portfolio-tablet.png");
    expect(await layout()).toEqual({ fees: true, slip: true, costs: false, worth: true, fits: true });
    await ana.setViewportSize({ width: 1280, height: 800 });
  });

  it("a student reloads and keeps its seat", async () => {
    const before = await snap(ana);
    await ana.reload();
    await ana.waitForFunction(() => (window as any).__arena?.mode === "game");
    const after = await snap(ana);
    expect(after.seat.playerId).toBe(before.seat.playerId);
    expect(after.state.players[after.seat.playerId].tao).toBe(before.state.players[before.seat.playerId].tao);
  });

  it("the projector shows the code and countdown", async () => {
    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await wall.goto(`http://127.0.0.1:${PORT}/`);
    await wall.fill("#projector-code", code);
    await wall.click("#projector");
    await wall.waitForFunction(() => (window as any).__arena?.mode === "projector");
    await wall.waitForTimeout(500);
    await wall.screenshot({ path: `${shots}/08-projector.png` });
    expect(await mode(wall)).toBe("projector");
    await wall.close();
  });

  it("the game ends and the debrief shows", async () => {
    await host.click("#host-advance");
    await host.waitForFunction(() => (window as any).__arena.store.get().state.phase === "acting" && (window as any).__arena.store.get().state.round === 3, null, { timeout: 15_000 });
    await host.click("#host-advance");
    for (const p of [host, ana]) await p.waitForFunction(() => (window as any).__arena.store.get().debrief !== null, null, { timeout: 15_000 });
    await ana.waitForSelector("#debrief svg");
    await ana.locator("#debrief").scrollIntoViewIfNeeded();
    await ana.screenshot({ path: `${shots}/09-debrief.png`, fullPage: true });
    const d = (await snap(ana)).debrief;
    expect(d.leaderboard.map((r: any) => r.name)).toEqual(expect.arrayContaining(["Ana", "Bo"]));
  });

  it("the host plays again with the same class under another rule set", async () => {
    await host.selectOption("#rematch-ruleset", "dtao-flow");
    await host.click("#rematch");
    for (const p of [host, ana, bo]) {
      await p.waitForFunction((old) => { const s = (window as any).__arena.store.get(); return s.status === "open" && s.state && s.state.code !== old && s.state.ruleset === "dtao-flow"; }, code, { timeout: 15_000 });
    }
    const s = await snap(ana);
    expect(s.seat.name).toBe("Ana");
    expect(s.state.phase).toBe("lobby");
    await host.waitForSelector("#host-start");
    await host.screenshot({ path: `${shots}/10-rematch-host.png` });
  });
});
