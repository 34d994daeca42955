/**
 * Crash under load: the real server (server/main.ts) in a child process, R sessions × P players
 * trading at a steady pace and hosts advancing rounds; then `kill -9` while every session is in an
 * acting phase and intents are in flight, and a restart on the same data folder and port. Every
 * player comes back with its seat token (the host with the host token) as soon as the server
 * answers. Then it checks that every session is live again in the same round, every seat went back
 * to the same player, and every intent the server acknowledged before the kill is in the session's
 * log (and nothing refused or never sent is), and plays on for a while.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type ArenaChild, startArenaChild } from "../lib/arenaProcess.js";
import {
  checkLog, createSession, exportLog, Host, inBatches, type LogCheck, Meter, Player, sleep, summary, Tally, until,
} from "./players.js";

export interface CrashOptions {
  rooms: number;
  players: number;
  /** Seconds of play before the kill (after everyone joined). */
  loadSeconds: number;
  /** Seconds of play after everyone is back. */
  afterSeconds: number;
  /** Mean intents a second per player. */
  rate: number;
  advanceSeconds: number;
  port: number;
  seed: number;
}

export interface CrashReport {
  scenario: "crash";
  sessions: number;
  players: number;
  loadBefore: number[];
  beforeKill: ReturnType<typeof summary>;
  /** Intents in flight (sent, unanswered) at the kill. */
  inFlightAtKill: number;
  sessionsActingAtKill: number;
  /** The round each session was playing at the kill (above 1: the restart replays a snapshot's rounds too). */
  roundsAtKill: number[];
  /** kill -9 to the restarted server answering /healthz (process start and every session replayed). */
  restartMs: number;
  sessionsRestored: number;
  /** Sessions back in the round and phase they were in, with the same deadline. */
  sessionsSameRound: number;
  seatsRestored: number;
  seatsWrong: number;
  hostsRestored: number;
  /** Server answering to the last player seated again (all rejoining at once), ms. */
  rejoinAllMs: number;
  log: LogCheck;
  afterRestart: ReturnType<typeof summary> & { reports: number };
  errors: string[];
  closes: Record<string, number>;
  serverWarnings: string[];
}

export async function runCrash(o: CrashOptions, say: (line: string) => void = () => undefined): Promise<CrashReport> {
  const dataDir = mkdtempSync(join(tmpdir(), "arena-crash-"));
  const tally = new Tally();
  const children: ArenaChild[] = [];
  const players: Player[] = [];
  const hosts: Host[] = [];
  try {
    let server = await startArenaChild({ port: o.port, dataDir, env: { RESOLVE_SECONDS: "1" } });
    children.push(server);
    say(`server up on ${server.url} (pid ${server.pid})`);

    const sessions: { code: string; hostToken: string }[] = [];
    for (let r = 0; r < o.rooms; r++) sessions.push(await createSession(server.http, { rounds: 200, roundSeconds: 60, maxPlayers: o.players + 5 }));
    for (const [r, s] of sessions.entries()) {
      hosts.push(new Host(s.code, s.hostToken, tally, o.advanceSeconds * 1000));
      for (let i = 0; i < o.players; i++) players.push(new Player(r * o.players + i, s.code, tally, { rate: o.rate }, o.seed));
    }
    for (const h of hosts) await h.join(server.url);
    await inBatches(players, 20, (p) => p.join(server.url));
    say(`${players.length} players joined ${sessions.length} sessions`);

    // Play: the hosts start their games a little apart, so rounds are not in lockstep.
    tally.meter = new Meter("before the kill");
    for (const [i, h] of hosts.entries()) setTimeout(() => void h.run().catch((e: Error) => tally.error(e.message)), (i * o.advanceSeconds * 1000) / hosts.length);
    for (const p of players) p.start();
    await sleep(o.loadSeconds * 1000);
    const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);

    // Hosts stop advancing (an advance already sent is answered first); the kill comes once every
    // session is in an acting phase, mid-load.
    await Promise.all(hosts.map((h) => h.stopAndSettle()));
    await until(() => hosts.every((h) => { const s = h.state(); return s?.phase === "acting" && !s.paused; }), 15_000, "every session acting");
    await sleep(300);
    const before = hosts.map((h) => { const s = h.state()!; return { round: s.round, phase: s.phase, deadline: s.deadline }; });
    for (const p of players) p.expectingClose = true;
    for (const h of hosts) h.expectingClose = true;
    // A burst from everyone, and the kill once about half of it has been answered: intents die at
    // every stage (unread, logged but unanswered, answered).
    for (const p of players) p.stop();
    const answeredBefore = tally.meter.latencies.length;
    const burst = players.filter((p) => p.act()).length;
    await until(() => tally.meter.latencies.length - answeredBefore >= burst / 2, 3000, "half the burst answered").catch(() => undefined);
    const inFlightAtKill = players.reduce((n, p) => n + p.inFlight.size, 0);
    const sessionsActingAtKill = hosts.filter((h) => h.state()?.phase === "acting").length;
    const killAt = Date.now();
    await server.stop("SIGKILL");
    say(`kill -9 with ${inFlightAtKill} of a burst of ${burst} intents in flight`);
    const beforeKill = summary(tally.meter);
    await until(() => players.every((p) => !p.connected) && hosts.every((h) => !h.room?.connection.isOpen), 10_000, "every client to see the crash");

    server = await startArenaChild({ port: o.port, dataDir, env: { RESOLVE_SECONDS: "1" } });
    children.push(server);
    const restartMs = server.healthyAt - killAt;
    say(`restarted in ${restartMs} ms`);
    const live = await Promise.all(sessions.map(async (s) => {
      const res = await fetch(`${server.http}/api/sessions/${s.code}`);
      return res.ok && ((await res.json()) as { live?: boolean }).live === true;
    }));

    // Everybody back at once, with the tokens they kept.
    let hostsRestored = 0;
    for (const h of hosts) {
      try { h.expectingClose = false; await h.join(server.url); hostsRestored++; } catch (e) { tally.error(`host ${h.code}: ${(e as Error).message}`); }
    }
    let seatsRestored = 0;
    let seatsWrong = 0;
    await inBatches(players, 50, async (p) => {
      try {
        p.expectingClose = false;
        const id = await p.rejoin(server.url);
        if (id === p.playerId) seatsRestored++;
        else { seatsWrong++; tally.error(`P${p.index + 1}: seat token gave ${id}, not ${p.playerId}`); }
      } catch (e) {
        tally.error(`P${p.index + 1}: could not rejoin: ${(e as Error).message}`);
      }
    });
    const rejoinAllMs = Date.now() - server.healthyAt;
    say(`${seatsRestored}/${players.length} seats back in ${rejoinAllMs} ms`);

    await until(() => hosts.every((h) => (h.state()?.round ?? 0) > 0), 5000, "hosts synced").catch(() => undefined);
    const sessionsSameRound = hosts.filter((h, i) => {
      const s = h.state();
      return s && s.round === before[i].round && s.phase === before[i].phase && s.deadline === before[i].deadline;
    }).length;

    const logs = await Promise.all(sessions.map((s) => exportLog(server.http, s.code, s.hostToken)));
    const log = checkLog(players, logs.flat());
    say(`log: ${log.acked} acknowledged, ${log.lost} lost, ${log.invented} invented; in flight at the kill: ${log.unknownLogged} logged, ${log.unknownMissing} not`);

    // Play on.
    tally.meter = new Meter("after the restart");
    // (A host that joins is sent the last report at once: count from here.)
    const reportsAt = hosts.map((h) => h.reports);
    for (const h of hosts) await h.run().catch((e: Error) => tally.error(e.message));
    for (const p of players) p.start();
    await sleep(o.afterSeconds * 1000);
    // At least one round resolved in every session after the restart.
    await until(() => hosts.every((h, i) => h.reports > reportsAt[i]), (o.advanceSeconds + 10) * 1000, "a round resolved in every session").catch((e: Error) => tally.error(e.message));
    for (const p of players) p.stop();
    for (const h of hosts) h.stop();
    await Promise.all(players.map((p) => p.settle(3000)));
    const afterRestart = { ...summary(tally.meter), reports: hosts.reduce((n, h, i) => n + h.reports - reportsAt[i], 0) };

    await inBatches(players, 50, (p) => p.leave());
    for (const h of hosts) await h.leave();
    const serverWarnings = children.flatMap((c) => c.logs().filter((l) => l.level >= 40).map((l) => `${l.msg} ${JSON.stringify({ ...l, level: undefined, time: undefined, msg: undefined, svc: undefined })}`));
    await server.stop("SIGTERM");

    return {
      scenario: "crash", sessions: sessions.length, players: players.length, loadBefore, beforeKill, inFlightAtKill, sessionsActingAtKill,
      roundsAtKill: before.map((b) => b.round), restartMs, sessionsRestored: live.filter(Boolean).length, sessionsSameRound, seatsRestored, seatsWrong, hostsRestored, rejoinAllMs,
      log, afterRestart, errors: tally.errors, closes: tally.closes, serverWarnings: serverWarnings.slice(0, 20),
    };
  } finally {
    for (const p of players) p.stop();
    for (const h of hosts) h.stop();
    for (const c of children) await c.stop("SIGKILL").catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
