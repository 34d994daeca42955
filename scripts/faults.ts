/**
 * Fault scenarios over the public protocol (docs/reliability.md has the figures and what each shows):
 *
 *   npm run faults -- crash   [--rooms 5] [--players 40] [--load-seconds 30] [--after-seconds 10] [--rate 0.3] [--advance-seconds 5]
 *   npm run faults -- storm   [--rooms 5] [--players 40] [--play-seconds 5] [--rate 0.3] [--reload-share 0.5] [--deadline-seconds 10]
 *   npm run faults -- hostile [--rooms 2] [--players 20] [--rate 1] [--advance-seconds 5] [--phase-seconds 10] [--reader-seconds 40]
 *                             [--phases baseline,nonReader,stuckReader,flooder,bigFrames,garbage,all] [--max-buffered-kb N]
 *                             [--echo-kb 15] [--echo-per-second 30]
 *   npm run faults -- store   [--modes tmpfs,inject] [--players 4] [--intents 5] [--size-kb 512]
 *   npm run faults -- all     (each of the above with its defaults)
 *   common: [--port N] [--seed N]
 *
 * crash, storm and hostile start the real server (server/main.ts) in a child process on 127.0.0.1
 * (the first free port from 4801 unless --port); store runs it in this process on a FileStore whose
 * file-system calls can fail (tmpfs needs root with CAP_SYS_ADMIN; without it, inject only).
 * Progress goes to stderr; the report, then one JSON line, to stdout.
 *
 * Exit codes: 0 every target met (nothing acknowledged lost, every session and seat back, hostile
 * clients limited with honest players unharmed, ...); 1 a target missed or the run failed; 2 bad arguments.
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { freePort } from "./lib/arenaProcess.js";
import { type CrashReport, runCrash } from "./faults/crash.js";
import { HOSTILE_PHASES, type HostilePhase, type HostileReport, runHostile } from "./faults/hostile.js";
import { canMountTmpfs, runStoreFaults, type StoreMode, type StoreReport } from "./faults/store.js";
import { runStorm, type StormReport } from "./faults/storm.js";

export const SCENARIOS = ["crash", "storm", "hostile", "store", "all"] as const;
export type Scenario = (typeof SCENARIOS)[number];
type Report = CrashReport | StormReport | HostileReport | StoreReport;

const USAGE = `usage: npm run faults -- <${SCENARIOS.join("|")}> [options]   (see the header of scripts/faults.ts)`;

type Flags = Record<string, string | undefined>;

function num(flags: Flags, key: string, dflt: number, min: number, max: number): number {
  const raw = flags[key];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new ArgError(`--${key} must be a number from ${min} to ${max}, not "${raw}"`);
  return n;
}

class ArgError extends Error {}

/** Did the run meet every target? The reasons it did not. */
export function misses(r: Report): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => { if (!ok) out.push(what); };
  check(r.errors.length === 0, `errors: ${r.errors.slice(0, 3).join(" | ")}`);
  if (r.scenario === "crash") {
    check(r.log.lost === 0, `${r.log.lost} acknowledged intents lost`);
    check(r.log.invented === 0, `${r.log.invented} intents in the log that were refused or never sent`);
    check(r.sessionsRestored === r.sessions, `${r.sessionsRestored}/${r.sessions} sessions restored`);
    check(r.seatsRestored === r.players && r.seatsWrong === 0, `${r.seatsRestored}/${r.players} seats restored, ${r.seatsWrong} wrong`);
  } else if (r.scenario === "storm") {
    check(r.back === r.players && r.withinDeadline, `${r.back}/${r.players} back, the last after ${r.backMs.max} ms`);
    check(r.wrongSeat === 0 && r.identity.wrong === 0 && r.holdingsChanged === 0, `seats: ${r.wrongSeat} wrong, ${r.identity.wrong} balances moved wrongly, ${r.holdingsChanged} holdings changed`);
  } else if (r.scenario === "hostile") {
    check(r.serverAlive, "the server is down");
    for (const p of r.phases) {
      check(p.honestDisconnects === 0, `${p.phase}: ${p.honestDisconnects} honest players disconnected`);
      check(p.honest.answered === p.honest.sent, `${p.phase}: ${p.honest.sent - p.honest.answered} honest intents unanswered`);
      for (const a of p.attackers) if (a.kind.endsWith("Reader")) check(a.droppedAfterMs.length > 0, `${p.phase}: ${a.kind} never dropped`);
    }
  } else {
    check(r.log.lost === 0 && r.log.invented === 0, `log: ${r.log.lost} lost, ${r.log.invented} invented`);
    check(r.replayMatchesLive, `the session on disk does not replay to the live state: ${r.replayError ?? "different state"}`);
  }
  return out;
}

const ms = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${Math.round(x)} ms`);
const lat = (s: { p50: number | null; p95: number | null; p99: number | null; max: number | null; answered: number }) =>
  `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.answered} intents)`;

export function format(r: Report): string {
  const lines: string[] = [];
  if (r.scenario === "crash") {
    lines.push(`crash: ${r.sessions} sessions x ${r.players / r.sessions} players, kill -9 in round(s) ${r.roundsAtKill.join(", ")} with ${r.inFlightAtKill} intents in flight (load ${r.loadBefore.join(" ")})`);
    lines.push(`  before the kill: ${r.beforeKill.sent} intents, ${r.beforeKill.ok} acknowledged; ${lat(r.beforeKill)}`);
    lines.push(`  restart (kill to /healthz, sessions replayed): ${ms(r.restartMs)}; sessions live ${r.sessionsRestored}/${r.sessions}, same round and deadline ${r.sessionsSameRound}`);
    lines.push(`  seats back with their tokens ${r.seatsRestored}/${r.players} (wrong ${r.seatsWrong}), hosts ${r.hostsRestored}, all in ${ms(r.rejoinAllMs)}`);
    lines.push(`  log: ${r.log.acked} acknowledged, LOST ${r.log.lost}, invented ${r.log.invented}; unanswered at the kill: ${r.log.unknownLogged} in the log, ${r.log.unknownMissing} not; ${r.log.refused} refused, none logged`);
    lines.push(`  after the restart: ${r.afterRestart.ok}/${r.afterRestart.sent} acknowledged, ${r.afterRestart.reports} rounds resolved; ${lat(r.afterRestart)}`);
  } else if (r.scenario === "storm") {
    lines.push(`storm: ${r.players} players in ${r.sessions} sessions, ${r.cut} connections cut at once (load ${r.load.join(" ")})`);
    lines.push(`  back ${r.back}/${r.players} (${r.reconnected} reconnected, ${r.reloaded} with the seat token), ${r.retries} retries; cut to seated p50 ${ms(r.backMs.p50)}, p95 ${ms(r.backMs.p95)}, last ${ms(r.backMs.max)}: ${r.withinDeadline ? "within" : "NOT within"} the deadline`);
    lines.push(`  seats: ${r.wrongSeat} wrong, ${r.holdingsChanged} holdings changed, players ${r.playersBefore} -> ${r.playersAfter}, connected ${r.connectedAfter}`);
    lines.push(`  identity stakes: ${r.identity.staked} made, ${r.identity.exact} moved exactly their own balance, ${r.identity.wrong} wrong, ${r.identity.skipped} skipped (no TAO)`);
    lines.push(`  intents before the cut: ${lat(r.beforeCut)}; after: ${lat(r.afterBack)}`);
  } else if (r.scenario === "hostile") {
    lines.push(`hostile: ${r.players} honest players in ${r.sessions} sessions; server alive at the end: ${r.serverAlive}`);
    for (const p of r.phases) {
      lines.push(`  ${p.phase} (${p.seconds} s, load ${p.load1}): honest ${lat(p.honest)}, disconnected ${p.honestDisconnects}; server CPU ${p.serverCpuPercent}%, RSS ${p.serverRssMB} MB (peak ${p.serverPeakRssMB})`);
      for (const a of p.attackers) {
        lines.push(`    ${a.kind}: ${a.connections} connections, ${a.sent} sent${Object.keys(a.closes).length ? "; " : ""}${Object.entries(a.closes).map(([k, v]) => `${k} x${v}`).join(", ")}${a.droppedAfterMs.length ? `; dropped after ${a.droppedAfterMs.map((x) => `${(x / 1000).toFixed(1)} s`).join(", ")}` : ""}${a.notes.length ? `; ${a.notes.join("; ")}` : ""}`);
      }
      if (p.droppedNotReading.length) lines.push(`    server: dropped for not reading with ${p.droppedNotReading.map((d) => `${Math.round(d.bufferedBytes / 1024)} KB`).join(", ")} queued`);
      if (p.floodDisconnects || p.floodDrops) lines.push(`    server: ${p.floodDisconnects} flooding disconnects (4429), ${p.floodDrops} socket-flood drops`);
    }
  } else {
    lines.push(`store (${r.modes.join(" + ")}): ${r.players} players (load ${r.load.join(" ")})`);
    for (const p of r.phases) {
      lines.push(`  ${p.phase} [${p.fault}]: ${p.sent} intents, ${p.ok} acknowledged, ${p.storeUnavailable} store/unavailable${Object.keys(p.otherRefusals).length ? `, ${JSON.stringify(p.otherRefusals)}` : ""}; host:advance ${p.hostAdvance}; join ${p.newPlayer}; new session ${p.newSession}${Object.keys(p.fsErrors).length ? `; fs errors ${JSON.stringify(p.fsErrors)}` : ""}`);
    }
    lines.push(`  log: ${r.log.acked} acknowledged, LOST ${r.log.lost}, invented ${r.log.invented}; ${r.log.refused} refused, none logged; replay equals the live state: ${r.replayMatchesLive}; ${r.roundsResolved} rounds resolved`);
  }
  const missed = misses(r);
  lines.push(missed.length ? `  TARGETS MISSED: ${missed.join("; ")}` : "  every target met");
  return lines.join("\n");
}

export async function runScenario(scenario: Exclude<Scenario, "all">, flags: Flags, say: (l: string) => void): Promise<Report> {
  const port = flags.port ? num(flags, "port", 0, 1, 65535) : await freePort(4801, 4840);
  const seed = num(flags, "seed", 1, -(2 ** 31), 2 ** 31);
  switch (scenario) {
    case "crash":
      return runCrash({
        rooms: num(flags, "rooms", 5, 1, 50), players: num(flags, "players", 40, 1, 200), loadSeconds: num(flags, "load-seconds", 30, 1, 3600),
        afterSeconds: num(flags, "after-seconds", 10, 0, 3600), rate: num(flags, "rate", 0.3, 0.01, 20), advanceSeconds: num(flags, "advance-seconds", 5, 1, 600), port, seed,
      }, say);
    case "storm":
      return runStorm({
        rooms: num(flags, "rooms", 5, 1, 50), players: num(flags, "players", 40, 1, 200), playSeconds: num(flags, "play-seconds", 5, 1, 3600),
        rate: num(flags, "rate", 0.3, 0.01, 20), reloadShare: num(flags, "reload-share", 0.5, 0, 1), deadlineSeconds: num(flags, "deadline-seconds", 10, 1, 600), port, seed,
      }, say);
    case "hostile": {
      const phases = (flags.phases ?? HOSTILE_PHASES.join(",")).split(",").map((p) => p.trim()) as HostilePhase[];
      for (const p of phases) if (!(HOSTILE_PHASES as readonly string[]).includes(p)) throw new ArgError(`--phases: unknown phase "${p}"; from ${HOSTILE_PHASES.join(", ")}`);
      return runHostile({
        rooms: num(flags, "rooms", 2, 1, 20), players: num(flags, "players", 20, 1, 200), rate: num(flags, "rate", 1, 0.01, 20), advanceSeconds: num(flags, "advance-seconds", 5, 1, 600),
        phaseSeconds: num(flags, "phase-seconds", 10, 1, 3600), readerSeconds: num(flags, "reader-seconds", 40, 1, 3600), phases,
        maxBufferedKb: flags["max-buffered-kb"] !== undefined ? num(flags, "max-buffered-kb", 0, 0, 10_000_000) : null,
        echoKb: num(flags, "echo-kb", 15, 0, 15), echoPerSecond: num(flags, "echo-per-second", 30, 0, 35), port, seed,
      }, say);
    }
    case "store": {
      const modes = (flags.modes ?? (canMountTmpfs() ? "tmpfs,inject" : "inject")).split(",").map((m) => m.trim()) as StoreMode[];
      for (const m of modes) if (m !== "tmpfs" && m !== "inject") throw new ArgError(`--modes: unknown mode "${m}" (tmpfs, inject)`);
      if (modes.includes("tmpfs") && !canMountTmpfs()) throw new ArgError("--modes tmpfs needs root with CAP_SYS_ADMIN (mount -t tmpfs failed); use --modes inject");
      return runStoreFaults({ modes, players: num(flags, "players", 4, 1, 50), intents: num(flags, "intents", 5, 1, 100), port, seed, sizeKb: num(flags, "size-kb", 512, 64, 1_048_576) }, say);
    }
  }
}

async function main(): Promise<number> {
  let positionals: string[];
  let values: Flags;
  try {
    const parsed = parseArgs({
      args: process.argv.slice(2), allowPositionals: true, strict: true,
      options: Object.fromEntries(["rooms", "players", "load-seconds", "after-seconds", "rate", "advance-seconds", "play-seconds", "reload-share", "deadline-seconds",
        "phase-seconds", "reader-seconds", "phases", "max-buffered-kb", "echo-kb", "echo-per-second", "modes", "intents", "size-kb", "port", "seed"].map((k) => [k, { type: "string" as const }])),
    });
    positionals = parsed.positionals;
    values = parsed.values as Flags;
  } catch (e) {
    console.error(`faults: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const scenario = positionals[0] as Scenario | undefined;
  if (!scenario || !(SCENARIOS as readonly string[]).includes(scenario) || positionals.length > 1) {
    console.error(`faults: name one scenario\n${USAGE}`);
    return 2;
  }
  process.env.LOG_LEVEL ??= "silent"; // the in-process server of the store scenario
  const say = (l: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
  const list = scenario === "all" ? (["crash", "storm", "hostile", "store"] as const) : [scenario];
  const reports: Report[] = [];
  try {
    for (const s of list) {
      say(`${s}: starting (load ${loadavg().map((x) => x.toFixed(2)).join(" ")})`);
      const r = await runScenario(s, scenario === "all" ? { port: values.port, seed: values.seed } : values, say);
      reports.push(r);
      console.log(format(r));
    }
  } catch (e) {
    if (e instanceof ArgError) { console.error(`faults: ${e.message}\n${USAGE}`); return 2; }
    console.error(`faults: the run failed: ${(e as Error).stack ?? e}`);
    return 1;
  }
  console.log(JSON.stringify(reports.length === 1 ? reports[0] : reports));
  return reports.every((r) => misses(r).length === 0) ? 0 : 1;
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  main().then((code) => process.exit(code), (e) => { console.error(`faults: ${(e as Error).stack ?? e}`); process.exit(1); });
}
