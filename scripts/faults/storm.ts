/**
 * Reconnection storm: R sessions × P players reach the server (a child process) through a TCP relay;
 * the relay cuts every player's connection at the same instant, and every client comes straight
 * back, half with Colyseus reconnection (`client.reconnect(token)`, inside RECONNECT_SECONDS) and
 * half as a page reload does (`joinById(code, { seatToken })`), each retrying with a short backoff
 * until the server takes it. The hosts stay connected directly and watch.
 *
 * It checks that every seat is back within the deadline (10 s by default), that no seat went to
 * anybody else: a reload gets its own player id back, a reconnection its own session, each client
 * sees its own holdings unchanged, no player was added or lost, and finally every player stakes a
 * different amount and exactly that amount leaves exactly its own balance.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Decimal from "decimal.js";
import type { Room } from "colyseus.js";
import type { ArenaState } from "../../server/room/schema.js";
import { type ArenaChild, startArenaChild } from "../lib/arenaProcess.js";
import { startTcpProxy, type TcpProxy } from "../lib/tcpProxy.js";
import { createSession, Host, inBatches, Meter, Player, percentile, sleep, summary, Tally, until } from "./players.js";

export interface StormOptions {
  rooms: number;
  players: number;
  /** Seconds of light play before the cut, and after everyone is back. */
  playSeconds: number;
  rate: number;
  /** Share of players that come back with the seat token (a reload) rather than Colyseus reconnection. */
  reloadShare: number;
  /** Every seat must be back within this, seconds. */
  deadlineSeconds: number;
  port: number;
  seed: number;
}

interface Holdings { tao: string; rootStake: string; alpha: string; role: string; connected: boolean }

function holdingsOf(room: Room<ArenaState> | null, id: string): Holdings | null {
  const p = room?.state?.players?.get(id);
  if (!p) return null;
  const alpha: string[] = [];
  p.alpha.forEach((v, k) => alpha.push(`${k}=${v}`));
  return { tao: p.tao, rootStake: p.rootStake, alpha: alpha.sort().join(","), role: p.role, connected: p.connected };
}

const same = (a: Holdings | null, b: Holdings | null) => a !== null && b !== null && a.tao === b.tao && a.rootStake === b.rootStake && a.alpha === b.alpha && a.role === b.role;

export interface StormReport {
  scenario: "storm";
  sessions: number;
  players: number;
  load: number[];
  /** Connections the relay cut at once. */
  cut: number;
  back: number;
  /** By Colyseus reconnection / by seat token. */
  reconnected: number;
  reloaded: number;
  /** Cut to each client seated again, ms. */
  backMs: { p50: number | null; p95: number | null; max: number | null };
  withinDeadline: boolean;
  /** Attempts refused before one was taken (e.g. a reconnection before the server saw the drop). */
  retries: number;
  /** A reload that got another player id, a reconnection with another session id. */
  wrongSeat: number;
  /** Clients whose own holdings changed across the cut. */
  holdingsChanged: number;
  /** Players per session as the hosts see them, before and after. */
  playersBefore: number;
  playersAfter: number;
  connectedAfter: number;
  /** The distinct-amount stake check: stakes made, balances moved by exactly their own amount, wrong. */
  identity: { staked: number; exact: number; wrong: number; skipped: number };
  beforeCut: ReturnType<typeof summary>;
  afterBack: ReturnType<typeof summary>;
  errors: string[];
  closes: Record<string, number>;
  serverWarnings: string[];
}

export async function runStorm(o: StormOptions, say: (line: string) => void = () => undefined): Promise<StormReport> {
  const dataDir = mkdtempSync(join(tmpdir(), "arena-storm-"));
  const tally = new Tally();
  let server: ArenaChild | null = null;
  let proxy: TcpProxy | null = null;
  const players: Player[] = [];
  const hosts: Host[] = [];
  try {
    server = await startArenaChild({ port: o.port, dataDir, env: { RESOLVE_SECONDS: "1" } });
    proxy = await startTcpProxy(o.port);
    say(`server ${server.url}, relay ${proxy.url}`);
    const sessions: { code: string; hostToken: string }[] = [];
    for (let r = 0; r < o.rooms; r++) sessions.push(await createSession(server.http, { rounds: 50, roundSeconds: 600, maxPlayers: o.players + 5 }));
    for (const [r, s] of sessions.entries()) {
      hosts.push(new Host(s.code, s.hostToken, tally, 3_600_000));
      for (let i = 0; i < o.players; i++) players.push(new Player(r * o.players + i, s.code, tally, { rate: o.rate }, o.seed));
    }
    for (const h of hosts) await h.join(server.url);
    const url = proxy.url;
    await inBatches(players, 20, (p) => p.join(url));
    say(`${players.length} players joined through the relay`);
    for (const h of hosts) await h.run();

    tally.meter = new Meter("before the cut");
    for (const p of players) p.start();
    await sleep(o.playSeconds * 1000);
    for (const p of players) p.stop();
    await Promise.all(players.map((p) => p.settle(5000)));
    const beforeCut = summary(tally.meter);
    // What each client and each host sees once everything has settled (a result comes before the
    // patch that shows it: wait a few patches).
    await sleep(300);
    await until(() => players.every((p) => same(holdingsOf(p.room, p.playerId), holdingsOf(hosts[Math.floor(p.index / o.players)].room, p.playerId))), 10_000, "clients in sync");
    const before = new Map(players.map((p) => [p, { holdings: holdingsOf(p.room, p.playerId)!, sessionId: p.room!.sessionId, token: p.room!.reconnectionToken }]));
    const playersBefore = hosts.reduce((n, h) => n + (h.state()?.players.size ?? 0), 0);

    // The cut, and everybody straight back.
    const reload = new Set(players.filter((p) => (p.index * 7919) % 1000 < o.reloadShare * 1000));
    let retries = 0;
    const lastError = new Map<Player, string>();
    const backAt = new Map<Player, number>();
    let cutAt = 0;
    const comeBack = async (p: Player) => {
      let wait = 50;
      for (;;) {
        try {
          if (reload.has(p)) {
            const id = await p.rejoin(url, 5000);
            if (id !== p.playerId) { tally.error(`P${p.index + 1}: the seat token gave ${id}, not ${p.playerId}`); p.playerId = `wrong:${id}`; }
          } else {
            await p.reconnect(url, before.get(p)!.token);
          }
          backAt.set(p, performance.now() - cutAt);
          return;
        } catch (e) {
          retries++;
          lastError.set(p, (e as Error).message);
          if (performance.now() - cutAt > (o.deadlineSeconds + 5) * 1000) { tally.error(`P${p.index + 1} (${reload.has(p) ? "seat token" : "reconnection"}): never came back: ${lastError.get(p)}`); return; }
          await sleep(wait + Math.random() * wait);
          wait = Math.min(wait * 2, 1000);
        }
      }
    };
    const returning: Promise<void>[] = [];
    for (const p of players) {
      p.expectingClose = true;
      p.onDropped = () => { p.onDropped = null; returning.push(comeBack(p)); };
    }
    cutAt = performance.now();
    const cutWall = Date.now();
    const cut = proxy.cutAll();
    say(`cut ${cut} connections`);
    await until(() => returning.length === players.length, 10_000, "every client to notice the cut").catch((e: Error) => tally.error(e.message));
    await Promise.all(returning);
    for (const p of players) p.expectingClose = false;
    const times = [...backAt.values()];
    const backMs = { p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times.length ? Math.max(...times) : null };
    say(`${backAt.size}/${players.length} back, the last after ${Math.round(backMs.max ?? -1)} ms (${retries} retries)`);

    // Nobody in anybody else's seat.
    let wrongSeat = 0;
    for (const p of players) {
      if (p.playerId.startsWith("wrong:")) wrongSeat++;
      else if (!reload.has(p) && p.room?.sessionId !== before.get(p)!.sessionId) wrongSeat++;
    }
    await until(() => players.every((p) => holdingsOf(p.room, p.playerId) !== null), 10_000, "state synced after the storm").catch(() => undefined);
    const changed = players.filter((p) => !same(holdingsOf(p.room, p.playerId), before.get(p)!.holdings));
    for (const p of changed.slice(0, 5)) tally.error(`P${p.index + 1} (${reload.has(p) ? "seat token" : "reconnection"}): holdings ${JSON.stringify(before.get(p)!.holdings)} became ${JSON.stringify(holdingsOf(p.room, p.playerId))}; acked ${JSON.stringify(p.acked.slice(-2))}, unknown ${JSON.stringify(p.unknown)}, cut at ${cutWall}, refused ${JSON.stringify(p.refusedActions.slice(-2))}`);
    const holdingsChanged = changed.length;
    await until(() => hosts.every((h, r) => players.slice(r * o.players, (r + 1) * o.players).every((p) => holdingsOf(h.room, p.playerId)?.connected)), 10_000, "hosts to see everyone connected").catch(() => undefined);
    const playersAfter = hosts.reduce((n, h) => n + (h.state()?.players.size ?? 0), 0);
    const connectedAfter = players.filter((p) => holdingsOf(hosts[Math.floor(p.index / o.players)].room, p.playerId)?.connected).length;

    // Each player stakes its own amount; exactly that amount must leave exactly its balance.
    tally.meter = new Meter("identity stakes");
    const amount = (p: Player) => new Decimal(0.01).plus(new Decimal(p.index).times(0.0001)).toFixed(4);
    const taoBefore = new Map(players.map((p) => [p, holdingsOf(hosts[Math.floor(p.index / o.players)].room, p.playerId)?.tao ?? "0"]));
    const staking = players.filter((p) => new Decimal(taoBefore.get(p)!).gte(amount(p)));
    for (const p of staking) p.send("stake", { subnet: 1, tao: amount(p) });
    await Promise.all(players.map((p) => p.settle(10_000)));
    const okStakes = tally.meter.ok;
    const expectTao = (p: Player) => (staking.includes(p) ? new Decimal(taoBefore.get(p)!).minus(amount(p)).toFixed() : new Decimal(taoBefore.get(p)!).toFixed());
    const taoNow = (p: Player) => { const h = holdingsOf(hosts[Math.floor(p.index / o.players)].room, p.playerId); return h ? new Decimal(h.tao).toFixed() : "?"; };
    await until(() => players.every((p) => taoNow(p) === expectTao(p)), 5000, "stakes synced").catch(() => undefined);
    const exact = staking.filter((p) => taoNow(p) === expectTao(p)).length;
    const wrongIdentity = players.filter((p) => taoNow(p) !== expectTao(p)).length;
    const identity = { staked: okStakes, exact, wrong: wrongIdentity, skipped: players.length - staking.length };

    tally.meter = new Meter("after everyone is back");
    for (const p of players) p.start();
    await sleep(o.playSeconds * 1000);
    for (const p of players) p.stop();
    await Promise.all(players.map((p) => p.settle(5000)));
    const afterBack = summary(tally.meter);
    const load = loadavg().map((x) => Math.round(x * 100) / 100);

    await inBatches(players, 50, (p) => p.leave());
    for (const h of hosts) await h.leave();
    const serverWarnings = server.logs().filter((l) => l.level >= 40).map((l) => l.msg);
    return {
      scenario: "storm", sessions: sessions.length, players: players.length, load, cut, back: backAt.size,
      reconnected: [...backAt.keys()].filter((p) => !reload.has(p)).length, reloaded: [...backAt.keys()].filter((p) => reload.has(p)).length,
      backMs: { p50: backMs.p50 && Math.round(backMs.p50), p95: backMs.p95 && Math.round(backMs.p95), max: backMs.max && Math.round(backMs.max) },
      withinDeadline: backAt.size === players.length && (backMs.max ?? Infinity) <= o.deadlineSeconds * 1000,
      retries, wrongSeat, holdingsChanged, playersBefore, playersAfter, connectedAfter, identity, beforeCut, afterBack,
      errors: tally.errors, closes: tally.closes, serverWarnings: [...new Set(serverWarnings)].slice(0, 20),
    };
  } finally {
    for (const p of players) p.stop();
    for (const h of hosts) h.stop();
    await proxy?.close();
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
