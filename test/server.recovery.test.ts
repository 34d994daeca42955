/**
 * Crash and restart recovery with the real server process (`npx tsx server/main.ts`):
 *  - kill -9 mid acting phase (after a round boundary, so restore = snapshot + log tail), restart on
 *    the same DATA_DIR: the session is live again, seat tokens give back the same seats with exactly
 *    the holdings seen before, same round/phase/deadline, and every acknowledged intent is in the
 *    export log (none lost, none refused one added); the host can advance afterwards.
 *  - SIGTERM: graceful shutdown saves a snapshot at the log head; restart restores the same way, and a
 *    deadline that passed while the server was down gets the documented restore grace.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../server/context.js";
import { CLOSE_CODES } from "../shared/index.js";
import { createSession, until } from "./support/server.js";
import { type ArenaProcess, eventually, startArenaProcess } from "./support/arenaProcess.js";
import { type Conn, holdings, type Holdings, joinSeat, phaseOf, quietly, syncedHoldings } from "./support/seats.js";

/** This file's ports (4621–4627 belong to server.reconnect.test.ts). */
const PORTS = { from: 4628, to: 4640 };
const GRACE_MS = DEFAULTS.restoreGraceSeconds * 1000;

const processes: ArenaProcess[] = [];
const conns: Conn[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const c of conns) await quietly(c);
  for (const p of processes) await p.stop("SIGKILL").catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Start a server process; a restart asks for the same port as before (clients come back to the same URL). */
async function start(dataDir: string, samePortAs?: ArenaProcess): Promise<ArenaProcess> {
  const p = await startArenaProcess({ ...PORTS, ...(samePortAs ? { preferred: samePortAs.port } : {}) }, dataDir);
  processes.push(p);
  return p;
}

async function enter(p: ArenaProcess, code: string, options: Record<string, unknown>): Promise<Conn> {
  const c = await joinSeat(p.url, code, options);
  conns.push(c);
  return c;
}

interface Acked { playerId: string; action: Record<string, unknown> }

interface Played {
  code: string;
  hostToken: string;
  host: Conn;
  players: Conn[];
  acked: Acked[];
  refused: number;
  seen: Record<string, Holdings>;
  view: { phase: string; round: number; deadline: number; paused: boolean };
}

const key = (h: Holdings | undefined) => JSON.stringify(h);

/**
 * Send one intent and, if it was accepted, record it and wait until the host's and the player's
 * synced state show its effect (so "seen" balances are what they actually saw; holdings go only to them).
 */
async function act(everyone: Conn[], who: Conn, type: string, payload: Record<string, unknown>, acked: Acked[], movesBalance = true): Promise<boolean> {
  const before = key(holdings(everyone[0].room, who.playerId));
  const r = await who.rec.ask(type, payload);
  if (!r.ok) return false;
  acked.push({ playerId: who.playerId, action: { ...payload, type } });
  if (movesBalance) {
    await until(() => [everyone[0], who].every((c) => key(holdings(c.room, who.playerId)) !== before), 3000, `${type} of ${who.playerId} synced`);
  }
  return true;
}

/** Host + two players, a round of trading, and (optionally) a second round started. */
async function play(p: ArenaProcess, roundSeconds: number, secondRound: boolean): Promise<Played> {
  const created = await createSession(p.http, { rounds: 5, roundSeconds });
  expect(created.status).toBe(201);
  const { code, hostToken } = created.body;
  const host = await enter(p, code, { role: "host", hostToken });
  const ana = await enter(p, code, { name: "Ana", role: "staker" });
  const bo = await enter(p, code, { name: "Bo", role: "validator" });
  const everyone = [host, ana, bo];
  expect((await host.rec.ask("host:start")).ok).toBe(true);
  await until(() => everyone.every((c) => phaseOf(c.room).phase === "acting"), 3000, "round 1 open");

  const acked: Acked[] = [];
  let refused = 0;
  const must = async (who: Conn, type: string, payload: Record<string, unknown>, moves = true) => {
    expect(await act(everyone, who, type, payload, acked, moves), `${type} ${JSON.stringify(payload)}`).toBe(true);
  };
  await must(ana, "stake", { subnet: 1, tao: "100" });
  await must(bo, "stakeRoot", { tao: "200" });
  const anaAlpha = Number(holdings(ana.room, ana.playerId)!.alpha["1"]);
  await must(ana, "unstake", { subnet: 1, alpha: (anaAlpha / 2).toFixed(9) });
  await must(bo, "stake", { subnet: 2, tao: "50" });
  await must(bo, "setWeights", { subnet: 1, weights: { "0": 1, "3": 2 } }, false);
  // Refused intents are never logged.
  if (!(await act(everyone, ana, "stake", { subnet: 1, tao: "999999" }, acked))) refused++;
  if (!(await act(everyone, bo, "unstakeRoot", { tao: "100000" }, acked))) refused++;
  await must(ana, "stakeRoot", { tao: "30" });

  if (secondRound) {
    // Cross a round boundary, so the restart restores from a snapshot plus the log tail.
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    await until(() => everyone.every((c) => phaseOf(c.room).phase === "acting" && phaseOf(c.room).round === 2), 5000, "round 2 open");
    await must(ana, "stake", { subnet: 2, tao: "40" });
    const boAlpha = Number(holdings(bo.room, bo.playerId)!.alpha["2"]);
    await must(bo, "unstake", { subnet: 2, alpha: (boAlpha / 3).toFixed(9) });
    await must(bo, "unstakeRoot", { tao: "10" });
    await must(ana, "stake", { subnet: 3, tao: "25" });
  }

  // Each player and the host agree on its holdings (nobody else is sent them).
  const seen: Record<string, Holdings> = {};
  for (const pl of [ana, bo]) {
    await until(() => new Set([host, pl].map((c) => key(holdings(c.room, pl.playerId)))).size === 1, 3000, "clients agree");
    seen[pl.playerId] = holdings(host.room, pl.playerId)!;
  }
  const view = phaseOf(host.room);
  expect(view.phase).toBe("acting");
  expect(view.deadline).toBeGreaterThan(Date.now());
  return { code, hostToken, host, players: [ana, bo], acked, refused, seen, view };
}

async function sessionLive(p: ArenaProcess, code: string): Promise<boolean> {
  const res = await fetch(`${p.http}/api/sessions/${code}`);
  return res.ok && ((await res.json()) as { live?: boolean }).live === true;
}

async function exportLog(p: ArenaProcess, code: string, hostToken: string) {
  const res = await fetch(`${p.http}/api/sessions/${code}/export.json`, { headers: { authorization: `Bearer ${hostToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { log: { kind: string; playerId?: string; action?: Record<string, unknown> }[] }).log;
}

/**
 * After a restart: the session is live, every seat comes back with the same holdings, the same
 * round and phase; nothing acknowledged is missing from the export; the host can advance.
 * Returns the restored deadline for the caller to judge.
 */
async function checkRestored(p: ArenaProcess, played: Played): Promise<{ deadline: number; liveAt: number }> {
  await eventually(() => sessionLive(p, played.code), 10_000, "the session to be live again")
    .catch((e: Error) => { throw new Error(`${e.message}\n--- server output ---\n${p.output().slice(-3000)}`); });
  const liveAt = Date.now();

  const host = await enter(p, played.code, { role: "host", hostToken: played.hostToken });
  const back: Conn[] = [];
  for (const old of played.players) {
    const c = await enter(p, played.code, { seatToken: old.seatToken });
    expect(c.playerId).toBe(old.playerId);
    expect(c.rec.last<{ role: string }>("seat")?.role).toBe(played.seen[old.playerId].role);
    back.push(c);
  }
  // The host sees every seat's holdings; each player sees its own.
  for (const id of Object.keys(played.seen)) expect(await syncedHoldings(host.room, id)).toEqual(played.seen[id]);
  for (const c of back) expect(await syncedHoldings(c.room, c.playerId)).toEqual(played.seen[c.playerId]);
  for (const c of [...back, host]) {
    await until(() => phaseOf(c.room).phase !== undefined && phaseOf(c.room).round > 0, 3000, "phase synced");
    const v = phaseOf(c.room);
    expect(v.phase).toBe(played.view.phase);
    expect(v.round).toBe(played.view.round);
    expect(v.paused).toBe(played.view.paused);
  }
  const deadline = phaseOf(host.room).deadline;
  expect(phaseOf(back[0].room).deadline).toBe(deadline);

  // Zero lost, zero invented: the players' logged intents are exactly the acknowledged ones, in order.
  const log = await exportLog(p, played.code, played.hostToken);
  const ids = new Set(played.players.map((c) => c.playerId));
  const logged = log
    .filter((e) => e.kind === "action" && ids.has(e.playerId!) && e.action?.type !== "join")
    .map((e) => ({ playerId: e.playerId, action: e.action }));
  expect(logged.length).toBe(played.acked.length);
  expect(logged).toEqual(played.acked);
  expect(played.refused).toBeGreaterThan(0);

  // The restored players act again, and the host runs the next round.
  expect((await back[0].rec.ask("stake", { subnet: 1, tao: "1" })).ok).toBe(true);
  const round = played.view.round;
  const before = host.rec.messages.length;
  expect((await host.rec.ask("host:advance")).ok).toBe(true);
  const report = await host.rec.waitFor<{ round: number }>("report", 5000, before);
  expect(report.round).toBe(round);
  await until(() => [...back, host].every((c) => phaseOf(c.room).phase === "acting" && phaseOf(c.room).round === round + 1), 5000, `round ${round + 1} open`);
  return { deadline, liveAt };
}

// The two scenarios use their own data folders and ports, so they run side by side (~17 s in all).
describe.concurrent("recovery of a live session across server processes", () => {
  it("survives kill -9 mid acting phase: same seats, balances, round, deadline; no acknowledged intent lost", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "arena-kill-"));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const played = await play(first, 60, true);
    expect(played.view.round).toBe(2);

    await first.stop("SIGKILL");
    expect(first.alive()).toBe(false);
    const codes = await Promise.all([played.host, ...played.players].map((c) => Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))])));
    for (const code of codes) expect(code).not.toBe(-1);
    expect(codes).not.toContain(4000); // a crash, not a goodbye

    const second = await start(dataDir, first);
    const { deadline } = await checkRestored(second, played);
    // 60 s rounds and a quick restart: the deadline is exactly the one players saw before.
    expect(deadline).toBe(played.view.deadline);
    await second.stop("SIGKILL");
  }, 35_000);

  it("survives a graceful SIGTERM and restart; a deadline that passed while down gets the restore grace", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "arena-term-"));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const played = await play(first, 10, false);
    expect(played.view.round).toBe(1);

    await first.stop("SIGTERM");
    const codes = await Promise.all([played.host, ...played.players].map((c) => Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))])));
    // The server asked everyone to come back (4503), not that they left (4000, after which a browser
    // client would go back to the lobby instead of reconnecting).
    expect(codes).toEqual([CLOSE_CODES.restarting, CLOSE_CODES.restarting, CLOSE_CODES.restarting]);

    // Graceful: the session's snapshot was written at the head of its log on the way out.
    const folder = join(dataDir, "sessions", played.code);
    const lines = readFileSync(join(folder, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { seq: number });
    const snap = JSON.parse(readFileSync(join(folder, "snapshot.json"), "utf8")) as { seq: number };
    expect(snap.seq).toBe(Math.max(...lines.map((l) => l.seq)));

    // Stay down until the round's deadline has passed.
    await until(() => Date.now() > played.view.deadline + 100, 15_000, "the old deadline to pass");
    const second = await start(dataDir, first);
    const { deadline, liveAt } = await checkRestored(second, played);
    // Later than before only by the grace, counted from when the session was restored.
    expect(deadline).toBeGreaterThan(played.view.deadline);
    expect(deadline).toBeGreaterThanOrEqual(second.spawnedAt + GRACE_MS);
    expect(deadline).toBeLessThanOrEqual(liveAt + GRACE_MS);
    await second.stop("SIGTERM");
  }, 35_000);
});
