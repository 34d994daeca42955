/**
 * Slow and hostile clients: R sessions × P honest players trade at a steady pace against the real
 * server (a child process) while hosts advance rounds; then, one phase at a time, hostile clients
 * join the first session (scripts/faults/attackers.ts): one that never reads, one that never reads
 * but answers pings and asks for large replies, one that floods, one that sends 1 MB frames, one
 * that sends garbage, and finally all of them at once. For each phase it records the honest
 * players' intent latency (send to `result`), their refusals and disconnections, the server's CPU
 * and memory, and what happened to each attacker: limited, closed (with which code) or dropped
 * (how long after it started).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type ArenaChild, startArenaChild } from "../lib/arenaProcess.js";
import { type Attacker, type AttackStats, BigFrames, Flooder, Garbage, NonReader } from "./attackers.js";
import { createSession, Host, inBatches, Meter, Player, sleep, summary, Tally, until } from "./players.js";

export const HOSTILE_PHASES = ["baseline", "nonReader", "stuckReader", "flooder", "bigFrames", "garbage", "all"] as const;
export type HostilePhase = (typeof HOSTILE_PHASES)[number];

export interface HostileOptions {
  rooms: number;
  players: number;
  rate: number;
  advanceSeconds: number;
  /** Seconds per phase; the readers' phases last until the server drops them, up to `readerSeconds`. */
  phaseSeconds: number;
  readerSeconds: number;
  phases: HostilePhase[];
  /** The server's MAX_BUFFERED_KB (null: its default). */
  maxBufferedKb: number | null;
  /** The stuck reader's echo requests: KB per message and messages a second (within the rate limit). */
  echoKb: number;
  echoPerSecond: number;
  port: number;
  seed: number;
}

export interface HostilePhaseReport {
  phase: HostilePhase;
  seconds: number;
  load1: number;
  honest: ReturnType<typeof summary>;
  honestDisconnects: number;
  serverCpuPercent: number | null;
  serverRssMB: number | null;
  serverPeakRssMB: number | null;
  attackers: AttackStats[];
  /** Server log lines in the phase: dropped for not reading (with bytes queued), disconnected for flooding. */
  droppedNotReading: { bufferedBytes: number; limit: number }[];
  floodDisconnects: number;
  /** Connections terminated by the socket-level flood guard. */
  floodDrops: number;
}

export interface HostileReport {
  scenario: "hostile";
  sessions: number;
  players: number;
  phases: HostilePhaseReport[];
  errors: string[];
  serverAlive: boolean;
}

export async function runHostile(o: HostileOptions, say: (line: string) => void = () => undefined): Promise<HostileReport> {
  const dataDir = mkdtempSync(join(tmpdir(), "arena-hostile-"));
  const tally = new Tally();
  let server: ArenaChild | null = null;
  const players: Player[] = [];
  const hosts: Host[] = [];
  try {
    server = await startArenaChild({
      port: o.port, dataDir, env: { RESOLVE_SECONDS: "1", ...(o.maxBufferedKb !== null ? { MAX_BUFFERED_KB: String(o.maxBufferedKb) } : {}) },
    });
    const sessions: { code: string; hostToken: string }[] = [];
    for (let r = 0; r < o.rooms; r++) sessions.push(await createSession(server.http, { rounds: 200, roundSeconds: 600, maxPlayers: o.players + 10 }));
    for (const [r, s] of sessions.entries()) {
      hosts.push(new Host(s.code, s.hostToken, tally, o.advanceSeconds * 1000));
      for (let i = 0; i < o.players; i++) players.push(new Player(r * o.players + i, s.code, tally, { rate: o.rate }, o.seed));
    }
    for (const h of hosts) await h.join(server.url);
    await inBatches(players, 20, (p) => p.join(server!.url));
    for (const h of hosts) await h.run();
    for (const p of players) p.start();
    say(`${players.length} honest players playing in ${sessions.length} sessions`);
    await sleep(2000); // warm-up

    const target = sessions[0].code;
    const host0 = hosts[0];
    const reports: HostilePhaseReport[] = [];
    for (const phase of o.phases) {
      const url = server.url;
      const make: Record<Exclude<HostilePhase, "baseline" | "all">, () => Attacker> = {
        nonReader: () => new NonReader(url, target, false, 0, 0),
        stuckReader: () => new NonReader(url, target, true, o.echoKb, o.echoPerSecond),
        flooder: () => new Flooder(url, target),
        bigFrames: () => new BigFrames(url, target),
        garbage: () => new Garbage(url, target),
      };
      const attackers: Attacker[] = phase === "baseline" ? [] : phase === "all" ? Object.values(make).map((f) => f()) : [make[phase]()];
      const readers = attackers.filter((a): a is NonReader => a instanceof NonReader);
      const logsBefore = server.logs().length;
      const closesBefore = Object.values(tally.closes).reduce((a, b) => a + b, 0);
      const usage0 = server.usage();
      const t0 = Date.now();
      tally.meter = new Meter(phase);
      for (const a of attackers) a.start();
      // The readers' phase lasts until the server has dropped each of them (as the host sees it), or readerSeconds.
      const minMs = o.phaseSeconds * 1000;
      const maxMs = readers.length > 0 ? Math.max(minMs, o.readerSeconds * 1000) : minMs;
      const dropped = new Set<NonReader>();
      while (Date.now() - t0 < maxMs) {
        for (const r of readers) {
          if (dropped.has(r) || !r.playerId || r.startedAt === 0) continue;
          if (host0.state()?.players.get(r.playerId)?.connected === false) {
            dropped.add(r);
            r.stats.droppedAfterMs.push(Date.now() - r.startedAt);
            r.stats.closes["server dropped it"] = (r.stats.closes["server dropped it"] ?? 0) + 1;
          }
        }
        if (Date.now() - t0 >= minMs && dropped.size === readers.length) break;
        await sleep(50);
      }
      for (const r of readers) if (!dropped.has(r)) r.stats.notes.push(`still connected after ${Math.round((Date.now() - r.startedAt) / 1000)} s`);
      const seconds = (Date.now() - t0) / 1000;
      const usage1 = server.usage();
      await Promise.all(attackers.map((a) => a.stop()));
      // The phase's honest intents still in flight are answered (and booked to it) before it is summed up.
      const meter = tally.meter;
      tally.meter = new Meter(`after ${phase}`);
      await until(() => meter.latencies.length >= meter.sent, 10_000, "the phase's intents answered").catch(() => undefined);
      const honest = summary(meter);
      const lines = server.logs().slice(logsBefore);
      reports.push({
        phase, seconds: Math.round(seconds * 10) / 10, load1: Math.round(loadavg()[0] * 100) / 100, honest,
        honestDisconnects: Object.values(tally.closes).reduce((a, b) => a + b, 0) - closesBefore,
        serverCpuPercent: usage0 && usage1 ? Math.round(((usage1.cpuSeconds - usage0.cpuSeconds) / seconds) * 1000) / 10 : null,
        serverRssMB: usage1 ? Math.round(usage1.rssMB) : null, serverPeakRssMB: usage1 ? Math.round(usage1.peakRssMB) : null,
        attackers: attackers.map((a) => a.stats),
        droppedNotReading: lines.filter((l) => l.msg === "dropping a client that does not read").map((l) => ({ bufferedBytes: l.bufferedBytes as number, limit: l.limit as number })),
        floodDisconnects: lines.filter((l) => l.msg === "disconnecting a flooding client").length,
        floodDrops: lines.filter((l) => l.msg === "dropping a client that floods its socket").length,
      });
      say(`${phase}: honest p50 ${honest.p50} p99 ${honest.p99} ms over ${honest.answered} intents; ${attackers.map((a) => `${a.stats.kind} ${JSON.stringify(a.stats.closes)}`).join("; ")}`);
      await sleep(500);
    }

    for (const p of players) p.stop();
    await Promise.all(players.map((p) => p.settle(5000)));
    const serverAlive = server.alive() && (await fetch(`${server.http}/healthz`).then((r) => r.ok, () => false));
    await inBatches(players, 50, (p) => p.leave());
    for (const h of hosts) await h.leave();
    return { scenario: "hostile", sessions: sessions.length, players: players.length, phases: reports, errors: tally.errors, serverAlive };
  } finally {
    for (const p of players) p.stop();
    for (const h of hosts) h.stop();
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
