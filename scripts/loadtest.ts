/**
 * Load test over the public protocol:
 *
 *   npm run loadtest -- --rooms R --players P --seconds S [--url ws://127.0.0.1:PORT] [--subnets N]
 *     [--advance-seconds A] [--resolve-seconds W] [--intents MIN-MAX] [--warmup SECONDS]
 *     [--step-rooms K] [--knee-ms MS] [--cpu-prof DIR] [--inline] [--port N] [--data-dir DIR] [--seed N]
 *     [--processes N] [--redis URL|auto] [--cross]
 *
 * Starts the arena server (server/app.ts createArena) on loopback in a child process, so its CPU,
 * memory and --cpu-prof are the server's alone and the bots' state decoding runs on the other core;
 * --inline runs it in this very process instead (what the CI test does), --url targets a running
 * server on this machine. --processes N (N ≥ 2) starts N such server processes sharing one Redis, each
 * wired as server/main.ts wires production (RedisPresence, RedisDriver, publicAddress 127.0.0.1:PORT):
 * --redis URL (loopback) uses a running Redis, otherwise (or with --redis auto) a throwaway
 * redis-server is started on a free loopback port and stopped at the end. The sessions are created
 * round-robin across the processes (each lives in the process that created it) and their host and
 * players ask for their seats at that process's endpoint, or with --cross at the next process's, so
 * that matchmaking goes through Redis (the WebSocket still goes to the hosting process). Server
 * figures are then reported per process and in total. Creates R private sessions through the HTTP sessions API (with --subnets N
 * through the server's store instead: the API has no subnets option), connects R×P colyseus.js
 * players plus one host per session, and plays. Each host starts its game (the sessions' first rounds
 * spread over one round's length: classes are not in lockstep) and sends host:advance A seconds
 * (default 5) after each round opens; the server then pauses W seconds (default 1). Each player sends
 * MIN–MAX intents per round (default 1–3) at random think times over the first 80% of the round,
 * each decided by a shared/bots.ts strategy from a PlayerView rebuilt from the synced state at that
 * moment (never per patch): stakers stake and unstake, builders set their effort split (and register
 * and back a subnet), validators self-stake and set weights, a role mix like the host's "balance roles".
 *
 * After a warm-up (default 10 s) it measures S seconds, stops sending, waits up to 5 s for results
 * in flight, leaves, stops the server, and prints a human-readable report and then one JSON line on
 * stdout (progress goes to stderr). Latency is send-to-`result` per intent, booked to the window the
 * intent was sent in; bytes are websocket payload bytes each player received, per resolved round.
 *
 * --step-rooms K: a stepped run for finding the knee: K sessions, warm-up, S seconds measured, K more
 * sessions, S seconds, ... up to R; each step reported on its own, and the first step whose p99
 * passes --knee-ms (default 100) named.
 *
 * Exit codes: 0 done (whatever the figures); 1 the run could not be made (server, sessions, joins);
 * 2 bad arguments.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Client, type Room } from "colyseus.js";
import {
  type Action, botActions, botRole, type BotStrategy, type PlayerView, type ResultMessage, type Rng, type ValidatorSignals,
  type HistoryMessage, type PriceTape,
} from "../shared/index.js";
import type { ArenaState } from "../server/room/schema.js";
import { botRng, type BotMemory, observeSyncTape, resolvedRounds, viewFromSync } from "./lib/botView.js";
import { formatProfile, summariseProfile, type ProfileSummary } from "./lib/cpuProfile.js";
import type { LoadServer, ServerStats, StoredSessionOptions } from "./lib/loadServer.js";
import { countWire, newWireCount, type WireCount, wireTotal } from "./lib/wireBytes.js";

export const USAGE = "usage: npm run loadtest -- --rooms R --players P --seconds S [--url ws://HOST:PORT] [--subnets N] [--advance-seconds A] "
  + "[--resolve-seconds W] [--intents MIN-MAX] [--step-rooms K] [--knee-ms MS] [--cpu-prof DIR] [--inline] [--port N] [--data-dir DIR] [--warmup SECONDS] [--seed N] "
  + "[--processes N] [--redis URL|auto] [--cross]";

export interface LoadOptions {
  rooms: number;
  players: number;
  /** Seconds of play (per step with stepRooms), counted once every player has joined and every game started. */
  seconds: number;
  /** Target server; null: start one on loopback. */
  url: string | null;
  /** Sessions with this many subnets (created through the store: in-process server only); null: the scenario's. */
  subnets: number | null;
  advanceSeconds: number;
  /** The started server's pause between rounds (ignored with --url: the server's own setting applies). */
  resolveSeconds: number;
  intentsMin: number;
  intentsMax: number;
  /** Stepped run: sessions added per step; null: all at once. */
  stepRooms: number | null;
  /** p99 that marks the knee in a stepped run, ms. */
  kneeMs: number;
  /** Write a .cpuprofile of the server (child-process server only) into this folder. */
  cpuProf: string | null;
  /** Run the server in this process (its CPU and memory figures then include the bots). */
  inline: boolean;
  /** Port for the started server; 0: the first free one in 4731–4760. */
  port: number;
  /** Where the started server keeps its throwaway session store (default: the OS temp folder). */
  dataDir: string | null;
  /** Play this long before the first measured window (JIT warm-up, first rounds), seconds. */
  warmupSeconds: number;
  seed: number;
  /** Server processes to start (default 1); 2 or more share one Redis. */
  processes?: number;
  /** The Redis the processes share: a redis:// URL, "auto" (start a throwaway redis-server), or null (auto when processes ≥ 2, none for one). */
  redis?: string | null;
  /** Ask for seats at the next process's endpoint, not the hosting one's (matchmaking through Redis). */
  cross?: boolean;
  /** Where to look for free ports for the started servers when `port` is 0 (default 4731–4760). */
  portRange?: [number, number];
  /** Where to look for a free port for a throwaway Redis (default 6410–6439). */
  redisPortRange?: [number, number];
}

export type ParsedArgs = { ok: true; options: LoadOptions } | { ok: false; help: boolean; error: string };

export function parseLoadArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        rooms: { type: "string" }, players: { type: "string" }, seconds: { type: "string" }, url: { type: "string" },
        subnets: { type: "string" }, "advance-seconds": { type: "string" }, "resolve-seconds": { type: "string" },
        intents: { type: "string" }, "step-rooms": { type: "string" }, "knee-ms": { type: "string" }, "cpu-prof": { type: "string" },
        inline: { type: "boolean" }, port: { type: "string" }, "data-dir": { type: "string" }, warmup: { type: "string" }, seed: { type: "string" },
        processes: { type: "string" }, redis: { type: "string" }, cross: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    return { ok: false, help: false, error: (e as Error).message };
  }
  if (values.help) return { ok: false, help: true, error: "" };
  const fail = (error: string): ParsedArgs => ({ ok: false, help: false, error });
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string).trim() : undefined);
  const int = (k: string, min: number, max: number, dflt?: number): number | string => {
    const raw = str(k);
    if (raw === undefined) return dflt ?? `--${k} is required`;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) return `--${k} must be a whole number from ${min} to ${max}, not "${raw}"`;
    return n;
  };
  const num = (k: string, min: number, max: number, dflt: number): number | string => {
    const raw = str(k);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (raw === "" || !Number.isFinite(n) || n < min || n > max) return `--${k} must be a number from ${min} to ${max}, not "${raw}"`;
    return n;
  };

  const rooms = int("rooms", 1, 200);
  if (typeof rooms === "string") return fail(rooms);
  const players = int("players", 1, 500);
  if (typeof players === "string") return fail(players);
  const seconds = num("seconds", 1, 3600, NaN);
  if (typeof seconds === "string") return fail(seconds);
  if (Number.isNaN(seconds)) return fail("--seconds is required");
  if (rooms * players > 5000) return fail(`--rooms × --players is ${rooms * players}; at most 5000 players`);

  let url: string | null = null;
  const rawUrl = str("url");
  if (rawUrl !== undefined) {
    let parsed: URL;
    try { parsed = new URL(rawUrl); } catch { return fail(`--url "${rawUrl}" is not a URL`); }
    if (!["ws:", "http:"].includes(parsed.protocol)) return fail(`--url must be ws:// or http://, not ${parsed.protocol}//`);
    // Load goes to this machine only.
    if (!["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname) && !/^127\.\d+\.\d+\.\d+$/.test(parsed.hostname)) {
      return fail(`--url must be a loopback address (127.0.0.0/8, localhost or [::1]), not ${parsed.hostname}`);
    }
    url = `ws://${parsed.host}`;
  }

  let subnets: number | null = null;
  if (str("subnets") !== undefined) {
    const n = int("subnets", 1, 1024);
    if (typeof n === "string") return fail(n);
    if (url) return fail("--subnets needs the server this command starts (the sessions API has no subnets option); drop --url");
    subnets = n;
  }
  const advanceSeconds = num("advance-seconds", 0.5, 600, 5);
  if (typeof advanceSeconds === "string") return fail(advanceSeconds);
  const resolveSeconds = num("resolve-seconds", 0, 60, 1);
  if (typeof resolveSeconds === "string") return fail(resolveSeconds);

  let intentsMin = 1;
  let intentsMax = 3;
  const rawIntents = str("intents");
  if (rawIntents !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(rawIntents);
    if (!m) return fail(`--intents must be N or MIN-MAX (e.g. 1-3), not "${rawIntents}"`);
    intentsMin = Number(m[1]);
    intentsMax = Number(m[2] ?? m[1]);
    if (intentsMin > intentsMax || intentsMax > 20) return fail("--intents: MIN ≤ MAX ≤ 20 (the server's rate limit is 20 a second)");
  }

  let stepRooms: number | null = null;
  if (str("step-rooms") !== undefined) {
    const n = int("step-rooms", 1, rooms);
    if (typeof n === "string") return fail(n);
    stepRooms = n;
  }
  const kneeMs = num("knee-ms", 1, 60_000, 100);
  if (typeof kneeMs === "string") return fail(kneeMs);

  const cpuProf = str("cpu-prof") ?? null;
  const inline = values.inline === true;
  if (cpuProf && (url || inline)) return fail("--cpu-prof profiles the server this command starts in its own process; drop --url and --inline");
  if (inline && url) return fail("--inline and --url exclude each other");
  const port = int("port", 1, 65535, 0);
  if (typeof port === "string") return fail(port);
  const dataDir = str("data-dir") ?? null;
  if (dataDir !== null && url) return fail("--data-dir is for the server this command starts; drop --url");
  if (dataDir !== null && !existsSync(dataDir)) return fail(`--data-dir ${dataDir} does not exist`);
  const warmupSeconds = num("warmup", 0, 600, 10);
  if (typeof warmupSeconds === "string") return fail(warmupSeconds);

  const processes = int("processes", 1, 16, 1);
  if (typeof processes === "string") return fail(processes);
  let redis: string | null = null;
  const rawRedis = str("redis");
  if (rawRedis !== undefined) {
    if (url) return fail("--redis is for the servers this command starts; drop --url");
    if (inline) return fail("--redis is for the servers this command starts in their own processes; drop --inline");
    if (rawRedis === "auto") redis = "auto";
    else {
      let parsed: URL;
      try { parsed = new URL(rawRedis); } catch { return fail(`--redis must be a redis:// URL or "auto", not "${rawRedis}"`); }
      if (parsed.protocol !== "redis:") return fail(`--redis must be a redis:// URL or "auto", not ${parsed.protocol}//`);
      if (!["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname) && !/^127\.\d+\.\d+\.\d+$/.test(parsed.hostname)) {
        return fail(`--redis must be on a loopback address (127.0.0.0/8, localhost or [::1]), not ${parsed.hostname}`);
      }
      redis = rawRedis;
    }
  }
  if (processes > 1) {
    if (url) return fail("--processes starts its own servers; drop --url");
    if (inline) return fail("--processes runs each server in its own process (one process holds one Colyseus matchmaker); drop --inline");
    if (cpuProf) return fail("--cpu-prof profiles one server process; use it without --processes (or with --processes 1)");
    if (rooms < processes) return fail(`--rooms ${rooms} is fewer than --processes ${processes}: every process should host a session`);
    if (port > 0 && port + processes - 1 > 65535) return fail(`--port ${port}: the processes use ${port}–${port + processes - 1}`);
  }
  const cross = values.cross === true;
  if (cross && processes < 2) return fail("--cross asks for seats through another process's endpoint; it needs --processes 2 or more");

  let seed = (Date.now() ^ (process.pid << 16)) | 0;
  const rawSeed = str("seed");
  if (rawSeed !== undefined) {
    seed = Number(rawSeed);
    if (!/^-?\d+$/.test(rawSeed) || !Number.isSafeInteger(seed)) return fail(`--seed must be an integer, not "${rawSeed}"`);
  }
  return {
    ok: true,
    options: {
      rooms, players, seconds, url, subnets, advanceSeconds, resolveSeconds, intentsMin, intentsMax, stepRooms, kneeMs, cpuProf, inline, port, dataDir,
      warmupSeconds, seed, processes, redis, cross,
    },
  };
}

// ------------------------------------------------------------------------------- the target server

/** Where one server process is reached. */
interface Endpoint {
  url: string;
  http: string;
  port: number;
}

interface Target {
  /** One per server process: one, unless --processes started several. */
  endpoints: Endpoint[];
  kind: "child" | "inline" | "url";
  /** The Redis the processes share, and whether this command started it; null when there is none. */
  redis: { url: string; started: boolean } | null;
  /** A session in process `index` (it lives there). */
  createSession(o: StoredSessionOptions & { viaStore: boolean }, index: number): Promise<{ code: string; hostToken: string }>;
  /** One per process; null when the servers are not ours to measure (--url). */
  stats(): Promise<ServerStats[] | null>;
  /** CPU the Redis this command started has used so far, µs (Linux /proc); null otherwise. */
  redisCpuUs(): number | null;
  close(): Promise<void>;
  /** The .cpuprofile written when the server stopped, if any. */
  profile(): string | null;
  /** Distinct lines the server processes wrote to stderr, with how often (child only). */
  stderr(): { line: string; count: number }[];
}

async function firstFreePort(from: number, to: number, exclude: readonly number[] = []): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (exclude.includes(port)) continue;
    const free = await new Promise<boolean>((done) => {
      const s = createServer();
      s.once("error", () => done(false));
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}–${to}${exclude.length ? ` (besides ${exclude.join(", ")})` : ""}`);
}

async function apiSession(http: string, o: StoredSessionOptions): Promise<{ code: string; hostToken: string }> {
  const res = await fetch(`${http}/api/sessions`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ rounds: o.rounds, roundSeconds: o.roundSeconds, maxPlayers: o.maxPlayers }),
  });
  const body = (await res.json()) as { code?: string; hostToken?: string; error?: string };
  if (res.status !== 201 || !body.code || !body.hostToken) throw new Error(`POST /api/sessions: ${res.status} ${body.error ?? ""}`.trim());
  return { code: body.code, hostToken: body.hostToken };
}

async function inlineTarget(o: LoadOptions): Promise<Target> {
  process.env.LOG_LEVEL ??= "silent";
  const { startLoadServer } = await import("./lib/loadServer.js");
  const port = o.port || await firstFreePort(...(o.portRange ?? DEFAULT_PORTS));
  // Colyseus greets on stdout when it listens: keep stdout for the report.
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  let server: LoadServer;
  try {
    server = await startLoadServer({ port, resolveSeconds: o.resolveSeconds, ...(o.dataDir ? { dataParent: resolve(o.dataDir) } : {}) }, false);
  } finally {
    console.log = log;
  }
  return {
    endpoints: [{ url: server.url, http: server.http, port: server.port }], kind: "inline", redis: null,
    createSession: (s) => (s.viaStore ? server.createStoredSession(s) : apiSession(server.http, s)),
    stats: async () => [server.stats()],
    redisCpuUs: () => null,
    close: () => server.close(),
    profile: () => null,
    stderr: () => [],
  };
}

/** Ports the started servers take when --port is not given, and a throwaway Redis. */
const DEFAULT_PORTS: [number, number] = [4731, 4760];
const DEFAULT_REDIS_PORTS: [number, number] = [6410, 6439];

/** A throwaway redis-server on loopback: no persistence, stopped at the end of the run. */
interface LocalRedis {
  url: string;
  pid: number;
  /** utime + stime so far, µs (Linux); null elsewhere. */
  cpuUs(): number | null;
  stop(): Promise<void>;
}

/** CPU a process has used, µs, from /proc/PID/stat (Linux, USER_HZ 100); null when it cannot be read. */
function procCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? ticks * 10_000 : null;
  } catch {
    return null;
  }
}

async function startLocalRedis(range: readonly [number, number]): Promise<LocalRedis> {
  const bin = process.env.REDIS_SERVER_PATH ?? "redis-server";
  const tried: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await firstFreePort(range[0], range[1], tried);
    tried.push(port);
    const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"],
      { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let spawnError: Error | null = null;
    child.on("error", (e) => { spawnError = e; });
    child.stdout!.on("data", (d) => { out += String(d); });
    child.stderr!.on("data", (d) => { out += String(d); });
    const exited = new Promise<void>((done) => child.once("close", () => done()));
    const gone = () => child.exitCode !== null || child.signalCode !== null || spawnError !== null;
    const stop = async () => {
      if (gone()) return;
      child.kill("SIGTERM");
      if (!(await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]))) {
        child.kill("SIGKILL");
        await exited;
      }
    };
    const until = Date.now() + 10_000;
    while (!out.includes("Ready to accept connections") && !gone() && Date.now() < until) await sleep(20);
    if (out.includes("Ready to accept connections") && !gone()) {
      return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, cpuUs: () => procCpuUs(child.pid!), stop };
    }
    await stop();
    const failure = spawnError as Error | null;
    if (failure) {
      throw new Error((failure as NodeJS.ErrnoException).code === "ENOENT"
        ? `${bin} was not found: install Redis (apt-get install redis-server) or pass --redis redis://127.0.0.1:PORT`
        : `could not start ${bin}: ${failure.message}`);
    }
    if (!/address already in use/i.test(out)) throw new Error(`${bin} did not start on port ${port}: ${out.trim().split("\n").slice(-3).join(" | ")}`);
  }
  throw new Error(`could not start ${bin} (tried ports ${tried.join(", ")})`);
}

/** One server child process (scripts/lib/loadServerChild.ts) and its IPC channel. */
interface ServerChild {
  endpoint: Endpoint;
  pid: number;
  ask<T>(op: string, options?: unknown): Promise<T>;
  stop(): Promise<void>;
  profile(): string | null;
  lines: Map<string, number>;
}

class StartFailure extends Error {
  constructor(message: string, readonly portTaken: boolean) { super(message); }
}

async function forkServer(o: LoadOptions, port: number, tag: string, extraEnv: Record<string, string>, profDir: string | null): Promise<ServerChild> {
  const before = new Set(profDir ? readdirSync(profDir) : []);
  const entry = fileURLToPath(new URL("./lib/loadServerChild.ts", import.meta.url));
  const child: ChildProcess = fork(entry, [], {
    execArgv: [...childExecArgv(), ...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [])],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", LOAD_PORT: String(port), LOAD_RESOLVE_SECONDS: String(o.resolveSeconds),
      ...(o.dataDir ? { LOAD_DATA_PARENT: resolve(o.dataDir) } : {}), ...extraEnv },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  // The server's stderr, each distinct line once (a warning repeated per join would drown the report).
  const lines = new Map<string, number>();
  let partial = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    const all = (partial + chunk).split("\n");
    partial = all.pop() ?? "";
    for (const line of all) {
      if (!line.trim()) continue;
      const n = lines.get(line) ?? 0;
      if (n === 0 && lines.size < 500) process.stderr.write(`${tag}: ${line}\n`);
      lines.set(line, n + 1);
    }
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((done) => child.once("exit", () => {
    for (const w of waiting.values()) w.reject(new Error(`${tag}: the server process exited`));
    waiting.clear();
    done();
  }));
  const ready = new Promise<number>((done, fail) => {
    const t = setTimeout(() => fail(new StartFailure(`${tag}: the server process did not start in 60 s`, false)), 60_000);
    child.on("message", (raw) => {
      const m = raw as { op?: string; port?: number; error?: string; code?: string | null; id?: number; ok?: boolean; value?: unknown };
      if (m.op === "ready") { clearTimeout(t); done(m.port!); return; }
      if (m.op === "failed") {
        clearTimeout(t);
        // Taken meanwhile by someone else: the port, or (a Redis given with --redis) the public address.
        const taken = m.code === "EADDRINUSE" || /already uses the public address/.test(m.error ?? "");
        fail(new StartFailure(`${tag}: the server process failed: ${m.error}`, taken));
        return;
      }
      if (m.id === undefined) return;
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (w) { if (m.ok) w.resolve(m.value); else w.reject(new Error(m.error)); }
    });
    void exited.then(() => { clearTimeout(t); fail(new StartFailure(`${tag}: the server process exited before it was ready`, false)); });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ id: ++nextId, op: "stop" });
      else child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(t);
    }
  };
  let listening: number;
  try {
    listening = await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    endpoint: { url: `ws://127.0.0.1:${listening}`, http: `http://127.0.0.1:${listening}`, port: listening },
    pid: child.pid!,
    lines,
    ask: <T>(op: string, options?: unknown) => new Promise<T>((done, fail) => {
      const id = ++nextId;
      waiting.set(id, { resolve: done as (v: unknown) => void, reject: fail });
      child.send({ id, op, options });
    }),
    stop,
    profile() {
      if (!profDir) return null;
      // One file per thread (tsx's module loader runs in a worker): the server's main thread is thread 0.
      const fresh = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f) && f.includes(`.${child.pid}.`))
        .map((f) => join(profDir, f));
      return fresh.find((f) => f.includes(`.${child.pid}.0.`)) ?? fresh.sort((a, b) => statSync(b).size - statSync(a).size)[0] ?? null;
    },
  };
}

/**
 * The server in its own process, or (--processes N) N of them sharing one Redis, each announcing
 * itself as 127.0.0.1:PORT. A port taken between the choice and the listen moves that process to
 * another free one (not with --port, which names them).
 */
async function childTarget(o: LoadOptions): Promise<Target> {
  const n = o.processes ?? 1;
  const profDir = o.cpuProf ? resolve(o.cpuProf) : null;
  if (profDir) mkdirSync(profDir, { recursive: true });
  let local: LocalRedis | null = null;
  let redisUrl: string | null = null;
  if (n > 1 || (o.redis ?? null) !== null) {
    if (o.redis && o.redis !== "auto") redisUrl = o.redis;
    else {
      local = await startLocalRedis(o.redisPortRange ?? DEFAULT_REDIS_PORTS);
      redisUrl = local.url;
    }
  }
  const children: ServerChild[] = [];
  try {
    const range = o.portRange ?? DEFAULT_PORTS;
    const tried: number[] = [];
    const pick = async (i: number) => {
      const port = o.port ? o.port + i : await firstFreePort(range[0], range[1], tried);
      tried.push(port);
      return port;
    };
    const first: number[] = [];
    for (let i = 0; i < n; i++) first.push(await pick(i));
    const started = await Promise.allSettled(first.map(async (port0, i) => {
      let port = port0;
      for (let attempt = 0; ; attempt++) {
        const tag = n > 1 ? `server ${i + 1}` : "server";
        const env: Record<string, string> = redisUrl ? { LOAD_REDIS_URL: redisUrl, LOAD_PUBLIC_ADDRESS: `127.0.0.1:${port}` } : {};
        try {
          return await forkServer(o, port, tag, env, profDir);
        } catch (e) {
          if (!(e instanceof StartFailure) || !e.portTaken || o.port || attempt >= 3) throw e;
          port = await pick(i);
        }
      }
    }));
    for (const r of started) if (r.status === "fulfilled") children.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (e) {
    await Promise.all(children.map((c) => c.stop().catch(() => undefined)));
    await local?.stop();
    throw e;
  }
  return {
    endpoints: children.map((c) => c.endpoint), kind: "child",
    redis: redisUrl ? { url: redisUrl, started: local !== null } : null,
    createSession: (s, i) => (s.viaStore ? children[i].ask("create", s) : apiSession(children[i].endpoint.http, s)),
    stats: () => Promise.all(children.map((c) => c.ask<ServerStats>("stats"))),
    redisCpuUs: () => local?.cpuUs() ?? null,
    async close() {
      await Promise.all(children.map((c) => c.stop()));
      await local?.stop();
    },
    profile: () => (children.length === 1 ? children[0].profile() : null),
    stderr: () => children.flatMap((c, i) => [...c.lines.entries()]
      .map(([line, count]) => ({ line: `${n > 1 ? `[server ${i + 1}] ` : ""}${line}`.slice(0, 300), count }))),
  };
}

/**
 * Node flags for a server child: this process's (tsx's loader), but not a --cpu-prof meant for the
 * load generator itself; when this process was not started through tsx (a vitest worker), just tsx's
 * loader, so the child can run TypeScript.
 */
function childExecArgv(): string[] {
  const own = withoutCpuProf(process.execArgv);
  if (own.some((a) => a.includes("tsx"))) return own;
  return ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href];
}

/** Node flags without --cpu-prof and its options (`--cpu-prof-dir DIR` is two entries, `--cpu-prof-dir=DIR` one). */
function withoutCpuProf(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--cpu-prof")) { out.push(a); continue; }
    if (a !== "--cpu-prof" && !a.includes("=")) i++; // its value follows
  }
  return out;
}

function urlTarget(url: string): Target {
  const http = url.replace(/^ws:/, "http:");
  return {
    endpoints: [{ url, http, port: Number(new URL(http).port || 80) }], kind: "url", redis: null,
    createSession: (s) => apiSession(http, s),
    stats: async () => null,
    redisCpuUs: () => null,
    close: async () => undefined,
    profile: () => null,
    stderr: () => [],
  };
}

// ------------------------------------------------------------------------------- measurements

/**
 * What happened to the intents sent in one measured window (a step, or the warm-up before the first):
 * an intent's result is booked to the window it was sent in, even if it arrives after the window closed.
 */
export class Window {
  /** Send to result, ms. */
  latencies: number[] = [];
  sent = 0;
  ok = 0;
  refused: Record<string, number> = {};
  /** Think times that found nothing sensible to send (e.g. no TAO left), or fell after the round closed. */
  idle = 0;
  late = 0;
  /** host:advance sent to the round's report received by the host, ms. */
  advanceToReport: number[] = [];
  /** The same latencies split by the server process hosting the intent's session. */
  latenciesByProcess: number[][] = [];
  sentByProcess: number[] = [];
}

/** Everything the bots and hosts count. */
export class Tally {
  window = new Window();
  errors = 0;
  errorSamples: string[] = [];
  disconnects = 0;
  disconnectCodes: Record<string, number> = {};
  hostRefused: Record<string, number> = {};
  /** Intents in flight: ref -> send time (performance.now()), window, and the process hosting the session. */
  readonly pending = new Map<number, { t: number; w: Window; home: number }>();
  nextRef = 0;

  error(what: string) {
    this.errors++;
    if (this.errorSamples.length < 10) this.errorSamples.push(what.slice(0, 200));
  }
}

export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round1(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? x : Math.round(x * 10) / 10;
}

// ------------------------------------------------------------------------------- players and hosts

const STAKERS: BotStrategy[] = ["noise", "valueInvestor", "momentum", "noise", "panicSeller", "rootSaver", "whale"];
const VALIDATORS: BotStrategy[] = ["honestValidator", "lazyValidator", "cartelValidator"];
const BUILDERS: BotStrategy[] = ["researchBuilder", "productBuilder"];

/** A class's mix, as the host's "balance roles" makes it: staker, builder, staker, validator, staker. */
export function strategyFor(index: number): BotStrategy {
  const k = Math.floor(index / 5);
  switch (index % 5) {
    case 1: return BUILDERS[k % BUILDERS.length];
    case 3: return VALIDATORS[k % VALIDATORS.length];
    default: return STAKERS[(index % 5 === 0 ? 2 * k : 2 * k + 1) % STAKERS.length];
  }
}

export interface Pace { advanceMs: number; intentsMin: number; intentsMax: number }

/** Think times keep clear of the round's end, so few intents race the host's advance. */
const THINK_FROM_MS = 200;
const THINK_UNTIL_SHARE = 0.8;

export class LoadPlayer {
  playerId = "";
  active = false;
  leaving = false;
  private signals: ValidatorSignals | null = null;
  /** Closing prices per pool (the `history` message, then each close seen: scripts/lib/botView.ts). */
  private tape: PriceTape | null = null;
  private memory: BotMemory | null = null;
  private lastRound = -1;
  private timers: NodeJS.Timeout[] = [];

  constructor(readonly room: Room<ArenaState>, readonly strategy: BotStrategy, private readonly rng: Rng,
    private readonly tally: Tally, private readonly pace: Pace, readonly wire: WireCount, private readonly tag: string,
    /** The server process hosting this player's session (--processes). */
    readonly home = 0) {
    room.onMessage("seat", (m: { playerId: string }) => { this.playerId = m.playerId; });
    room.onMessage("history", (m: HistoryMessage) => { this.tape = observeSyncTape(null, room.state, m); });
    room.onMessage("signals", (m: ValidatorSignals) => { this.signals = m; });
    room.onMessage("result", (r: ResultMessage) => this.onResult(r));
    room.onMessage("*", () => undefined); // report, income: not needed to decide
    // Per patch: two comparisons. The view is rebuilt only when an intent is about to be sent.
    room.onStateChange((s) => {
      this.tape = observeSyncTape(this.tape, s);
      if (this.active && s.phase === "acting" && !s.paused && s.round !== this.lastRound) this.plan(s.round);
    });
    room.onLeave((code) => {
      this.stop();
      if (!this.leaving) {
        tally.disconnects++;
        tally.disconnectCodes[String(code)] = (tally.disconnectCodes[String(code)] ?? 0) + 1;
      }
    });
    room.onError((code, message) => tally.error(`${tag}: room error ${code} ${message ?? ""}`));
  }

  start() {
    this.active = true;
    const s = this.room.state;
    if (s && s.phase === "acting" && !s.paused && s.round !== this.lastRound) this.plan(s.round);
  }

  stop() {
    this.active = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private onResult(r: ResultMessage) {
    if (typeof r.ref !== "number") return;
    const sent = this.tally.pending.get(r.ref);
    if (sent === undefined) return;
    this.tally.pending.delete(r.ref);
    const w = sent.w;
    const ms = performance.now() - sent.t;
    w.latencies.push(ms);
    (w.latenciesByProcess[sent.home] ??= []).push(ms);
    if (r.ok) w.ok++;
    else {
      const code = r.code ?? "unknown";
      w.refused[code] = (w.refused[code] ?? 0) + 1;
      if (code === "server/error" || code === "store/unavailable") this.tally.error(`${this.tag}: ${r.type} ${code} ${r.message ?? ""}`);
    }
  }

  /** A new round: a few intents at think times spread over the part of the round before the host advances. */
  private plan(round: number) {
    this.lastRound = round;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const n = this.pace.intentsMin + this.rng.int(this.pace.intentsMax - this.pace.intentsMin + 1);
    const until = Math.max(THINK_FROM_MS + 1, this.pace.advanceMs * THINK_UNTIL_SHARE);
    for (let i = 0; i < n; i++) {
      const at = this.rng.range(THINK_FROM_MS, until);
      this.timers.push(setTimeout(() => this.think(round), at));
    }
  }

  private think(round: number) {
    const s = this.room.state;
    if (!this.active) return;
    if (!this.playerId || s.phase !== "acting" || s.paused || s.round !== round) { this.tally.window.late++; return; }
    const me = s.players.get(this.playerId);
    if (!me) { this.tally.window.idle++; return; }
    this.memory ??= { granted: me.tao, joinedRound: resolvedRounds(s) };
    let action: Action | null;
    try {
      action = this.choose(viewFromSync(s, this.playerId, this.signals, this.memory, this.tape));
    } catch (e) {
      this.tally.error(`${this.tag}: strategy failed: ${(e as Error).message}`);
      return;
    }
    if (!action) { this.tally.window.idle++; return; }
    const { type, ...fields } = action;
    const ref = ++this.tally.nextRef;
    this.tally.pending.set(ref, { t: performance.now(), w: this.tally.window, home: this.home });
    this.tally.window.sent++;
    this.tally.window.sentByProcess[this.home] = (this.tally.window.sentByProcess[this.home] ?? 0) + 1;
    this.room.send(type, { ...fields, ref });
  }

  /** One intent, as a person would: the strategy's idea of the moment, with a fallback so each role keeps doing its thing. */
  private choose(view: PlayerView): Action | null {
    const actions = botActions(this.strategy, view, this.rng);
    switch (botRole(this.strategy)) {
      case "builder": {
        // Builders tune their effort split often; otherwise register, or back their own subnet.
        if (actions.length === 0 || this.rng.chance(0.4)) {
          const target = this.strategy === "researchBuilder" ? 0.8 : 0.2;
          const research = Math.round(Math.min(1, Math.max(0, target + this.rng.range(-0.15, 0.15))) * 100) / 100;
          return { type: "setEffort", research, product: Math.round((1 - research) * 100) / 100 };
        }
        return actions[0];
      }
      case "validator":
        // A self-stake or one subnet's weights per think (a person does not set 65 weight vectors at once).
        return actions.length > 0 ? this.rng.pick(actions) : null;
      default: {
        if (actions.length > 0) return this.rng.pick(actions);
        const fallback = botActions("noise", view, this.rng);
        return fallback.length > 0 ? this.rng.pick(fallback) : null;
      }
    }
  }
}

export class LoadHost {
  active = false;
  leaving = false;
  /** Reports received while measuring (rounds resolved in the window). */
  rounds = 0;
  private lastRound = -1;
  private timer: NodeJS.Timeout | null = null;
  private advanceSentAt = 0;
  private advancing = false;
  private refs = 0;
  private waiters = new Map<string, (r: ResultMessage) => void>();

  constructor(readonly room: Room<ArenaState>, private readonly tally: Tally, private readonly advanceMs: number, private readonly tag: string) {
    room.onMessage("result", (r: ResultMessage) => {
      const w = typeof r.ref === "string" ? this.waiters.get(r.ref) : undefined;
      if (w) { this.waiters.delete(r.ref as string); w(r); }
    });
    room.onMessage("report", () => {
      if (this.advanceSentAt > 0) {
        tally.window.advanceToReport.push(performance.now() - this.advanceSentAt);
        this.advanceSentAt = 0;
      }
      if (this.active) this.rounds++;
    });
    room.onMessage("*", () => undefined);
    room.onStateChange((s) => {
      if (this.active && s.phase === "acting" && !s.paused && s.round !== this.lastRound) this.roundOpened(s.round);
      if (s.phase === "ended" && this.active) tally.error(`${tag}: the game ended during the run (too few rounds for --seconds)`);
    });
    room.onLeave((code) => {
      this.stop();
      if (!this.leaving) tally.error(`${tag}: the host was disconnected (${code})`);
    });
  }

  ask(type: string, payload: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<ResultMessage> {
    const ref = `h${++this.refs}`;
    return new Promise((done, fail) => {
      const t = setTimeout(() => { this.waiters.delete(ref); fail(new Error(`${this.tag}: no result for ${type} in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(ref, (r) => { clearTimeout(t); done(r); });
      this.room.send(type, { ...payload, ref });
    });
  }

  async start() {
    const r = await this.ask("host:start");
    if (!r.ok) throw new Error(`${this.tag}: host:start refused: ${r.code} ${r.message ?? ""}`);
    this.active = true;
    const s = this.room.state;
    if (s.phase === "acting" && s.round !== this.lastRound) this.roundOpened(s.round);
  }

  private roundOpened(round: number) {
    this.lastRound = round;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.advance(), this.advanceMs);
  }

  private async advance() {
    this.timer = null;
    if (!this.active || this.advancing) return;
    this.advancing = true;
    this.advanceSentAt = performance.now();
    try {
      const r = await this.ask("host:advance");
      if (!r.ok) {
        this.tally.hostRefused[r.code ?? "unknown"] = (this.tally.hostRefused[r.code ?? "unknown"] ?? 0) + 1;
        this.advanceSentAt = 0;
      }
    } catch (e) {
      this.tally.error((e as Error).message);
    } finally {
      this.advancing = false;
    }
  }

  /** Stop advancing; waits for an advance in flight. */
  async stopAndSettle(timeoutMs: number) {
    this.stop();
    const until = Date.now() + timeoutMs;
    while (this.advancing && Date.now() < until) await sleep(20);
  }

  stop() {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The port of the WebSocket a colyseus.js room connected to (null if it cannot be read). */
function socketPort(room: Room): number | null {
  const url = (room.connection.transport as unknown as { ws?: { url?: string } }).ws?.url;
  if (!url) return null;
  try { return Number(new URL(url).port) || null; } catch { return null; }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

// ------------------------------------------------------------------------------- the run

export interface StepReport {
  sessions: number;
  players: number;
  seconds: number;
  intentsSent: number;
  intentsPerSecond: number;
  results: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  refused: Record<string, number>;
  /** Server CPU over the step, % of one core (null with --url). */
  serverCpuPercent: number | null;
  /** Server event-loop utilisation over the step, % (null with --url). */
  serverEluPercent: number | null;
  /** The server's main thread over the step: % of the time on a CPU, and % runnable but waiting for one (Linux). */
  serverMainOnCpuPercent: number | null;
  serverMainWaitingPercent: number | null;
  resolveMs: { p50: number | null; p95: number | null; max: number | null; rounds: number };
  advanceToReportMs: { p50: number | null; p95: number | null; max: number | null };
  generatorCpuPercent: number;
  generatorLoopDelayP99Ms: number;
  loadAverage: number[];
  /** Each server process over the step (null with --url); with several, the server* figures above are their totals (see LoadReport.server). */
  processes: ProcessFigures[] | null;
  /** CPU of the Redis this command started, % of one core (null without one, or off Linux). */
  redisCpuPercent: number | null;
}

/** One server process over a measured step. */
export interface ProcessFigures {
  /** 1, 2, ... in the order started; sessions go round-robin: session k to process ((k − 1) mod N) + 1. */
  process: number;
  port: number;
  pid: number | null;
  /** Sessions created in this process and the players in them. */
  sessions: number;
  players: number;
  /** Rooms open in the process and clients connected to it, as it counts them at the end of the step. */
  rooms: number | null;
  clients: number | null;
  cpuPercent: number | null;
  cpuSeconds: number | null;
  eluPercent: number | null;
  loopDelayP99Ms: number | null;
  peakRssMB: number | null;
  mainOnCpuPercent: number | null;
  mainWaitingPercent: number | null;
  /** Intents sent to this process's sessions, and their send -> result latencies. */
  intentsSent: number;
  intentsPerSecond: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  resolveMs: { p50: number | null; p95: number | null; max: number | null; rounds: number };
}

export interface LoadReport {
  options: LoadOptions;
  serverMode: "child" | "inline" | "url";
  startedAt: string;
  node: string;
  sessions: number;
  players: number;
  joinSeconds: number;
  seconds: number;
  intentsSent: number;
  intentsPerSecond: number;
  results: number;
  ok: number;
  refused: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  roundResolution: {
    /** Inside the room (engine resolution + log fsync + snapshot + report broadcast), ms; null with --url. */
    serverMs: { p50: number | null; p95: number | null; max: number | null } | null;
    /** host:advance sent to the report received by the host (includes waiting behind queued intents), ms. */
    advanceToReportMs: { p50: number | null; p95: number | null; max: number | null };
    rounds: number;
  };
  /** Per player per resolved round, bytes of websocket payload received: state (patches) and everything. */
  bytesPerClientPerRound: { state: number | null; all: number | null; patchesPerRound: number | null };
  /**
   * The server over the last step. With several processes, their totals: CPU (% of one core) and
   * peak RSS summed; event loop busy and the main threads' on-CPU and waiting shares averaged over
   * the processes; loop delay p99 the highest. Each process: `processes`.
   */
  server: {
    cpuPercent: number | null; cpuSeconds: number | null; peakRssMB: number | null; eluPercent: number | null; loopDelayP99Ms: number | null;
    mainOnCpuPercent: number | null; mainWaitingPercent: number | null; isolated: boolean; processes: number;
  } | null;
  /** Each server process over the last step (null with --url). */
  processes: ProcessFigures[] | null;
  /** The Redis the processes shared (null: none): its URL, whether this command started it, its CPU over the last step. */
  redis: { url: string; started: boolean; cpuPercent: number | null } | null;
  generator: { cpuPercent: number; loopDelayP99Ms: number; peakRssMB: number };
  errors: number;
  errorSamples: string[];
  disconnects: number;
  disconnectCodes: Record<string, number>;
  lost: number;
  idleThinks: number;
  lateThinks: number;
  hostRefused: Record<string, number>;
  loadAverage: { start: number[]; end: number[] };
  steps: StepReport[] | null;
  /** First step from which p99 stays over the threshold; spikesAt: earlier steps over it. */
  knee: { players: number | null; p99Ms: number | null; thresholdMs: number; spikesAt: number[] } | null;
  profile: (ProfileSummary & { file: string }) | null;
  /** Distinct lines the server wrote to stderr (child-process server), most frequent first. */
  serverStderr: { line: string; count: number }[];
}

interface Session {
  code: string;
  /** The server process hosting it (index into the target's endpoints). */
  home: number;
  host: LoadHost;
  players: LoadPlayer[];
  wire: WireCount;
  /** Wire counts and host rounds at the start and end of the last measured step. */
  wireAtStart: WireCount;
  roundsAtStart: number;
  wireAtEnd: WireCount;
  roundsAtEnd: number;
}

const JOIN_CONCURRENCY = 20;

export async function runLoad(o: LoadOptions, say: (line: string) => void = () => undefined): Promise<LoadReport> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const target = o.url ? urlTarget(o.url) : o.inline ? await inlineTarget(o) : await childTarget(o);
  const tally = new Tally();
  const sessions: Session[] = [];
  const pace: Pace = { advanceMs: o.advanceSeconds * 1000, intentsMin: o.intentsMin, intentsMax: o.intentsMax };
  // One client per server process: each session's seats are asked for at its own process's
  // endpoint, or (--cross) at the next one's; the seat reservation then sends the WebSocket to the
  // process that hosts the room (its publicAddress).
  const n = target.endpoints.length;
  const clients = target.endpoints.map((e) => new Client(e.url));
  const via = (home: number) => clients[o.cross ? (home + 1) % n : home];
  /** With several processes, a WebSocket that did not land on the session's own process is an error. */
  const checkSocket = (room: Room, home: number, tag: string) => {
    if (n < 2) return;
    const port = socketPort(room);
    if (port !== target.endpoints[home].port) tally.error(`${tag}: WebSocket went to port ${port ?? "?"}, not to the hosting process's ${target.endpoints[home].port}`);
  };
  if (n > 1 || target.redis) {
    say(`${n} server process${n > 1 ? "es" : ""} on port${n > 1 ? "s" : ""} ${target.endpoints.map((e) => e.port).join(", ")}, sharing ${target.redis?.started ? "a throwaway " : ""}Redis at ${target.redis?.url}`
      + `${o.cross ? "; seats asked for through the next process" : ""}`);
  }
  const genDelay = monitorEventLoopDelay({ resolution: 10 });
  genDelay.enable();
  let genPeakRss = process.memoryUsage().rss;
  const rssSampler = setInterval(() => { genPeakRss = Math.max(genPeakRss, process.memoryUsage().rss); }, 500);
  // Enough rounds that no game ends during the run (200 is the sessions API's limit).
  const cycleSeconds = o.advanceSeconds + (o.url ? 4 : o.resolveSeconds);
  const stepCount = o.stepRooms ? Math.ceil(o.rooms / o.stepRooms) : 1;
  const needed = Math.ceil((o.seconds * stepCount + o.warmupSeconds) / cycleSeconds) + 10;
  const rounds = Math.min(200, needed);
  if (needed > 200) say(`warning: ${needed} rounds needed, sessions hold 200; raise --advance-seconds`);
  let joinMs = 0;
  const rawSteps: RawStep[] = [];
  let profile: LoadReport["profile"] = null;

  try {
    const addSessions = async (count: number) => {
      const t0 = performance.now();
      const fresh: Session[] = [];
      for (let i = 0; i < count; i++) {
        const index = sessions.length + fresh.length;
        const home = index % n;
        const { code, hostToken } = await target.createSession({
          viaStore: o.subnets !== null, subnets: o.subnets ?? 8, rounds, roundSeconds: 3600, maxPlayers: Math.max(60, o.players + 5),
        }, home);
        const hostRoom = await via(home).joinById<ArenaState>(code, { role: "host", hostToken, name: "Load host" });
        checkSocket(hostRoom, home, `session ${index + 1} host`);
        const wire = newWireCount();
        fresh.push({
          code, home, host: new LoadHost(hostRoom, tally, pace.advanceMs, `session ${index + 1} host`), players: [], wire,
          wireAtStart: newWireCount(), roundsAtStart: 0, wireAtEnd: newWireCount(), roundsAtEnd: 0,
        });
      }
      // Players join a few at a time across all new sessions.
      const jobs = fresh.flatMap((s, si) => Array.from({ length: o.players }, (_, k) => ({ s, si: sessions.length + si, k })));
      let next = 0;
      let failures = 0;
      const worker = async () => {
        while (next < jobs.length) {
          const { s, si, k } = jobs[next++];
          const strategy = strategyFor(k);
          const tag = `session ${si + 1} player ${k + 1}`;
          try {
            const room = await via(s.home).joinById<ArenaState>(s.code, { name: `Load ${k + 1}`, role: botRole(strategy) });
            checkSocket(room, s.home, tag);
            countWire(room, s.wire);
            s.players.push(new LoadPlayer(room, strategy, botRng(o.seed, si * 1000 + k), tally, pace, s.wire, tag, s.home));
          } catch (e) {
            failures++;
            tally.error(`${tag}: could not join: ${(e as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
      if (failures === jobs.length && jobs.length > 0) throw new Error("no player could join");
      // Independent classes are not in lockstep: the sessions' rounds start spread over one round's length.
      for (const s of fresh) for (const p of s.players) p.start();
      const cycleMs = cycleSeconds * 1000;
      await Promise.all(fresh.map((s, i) => sleep((i * cycleMs) / fresh.length).then(() => s.host.start())));
      sessions.push(...fresh);
      joinMs += performance.now() - t0;
      say(`${sessions.length} sessions, ${sessions.reduce((t, s) => t + s.players.length, 0)} players connected (joins took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    };

    for (let step = 0; step < stepCount; step++) {
      const add = o.stepRooms ? Math.min(o.stepRooms, o.rooms - sessions.length) : o.rooms;
      await addSessions(add);
      if (step === 0 && o.warmupSeconds > 0) await sleep(o.warmupSeconds * 1000);
      // Measure from here: a fresh window, and the wire counts and rounds so far.
      for (const s of sessions) { s.wireAtStart = { ...s.wire }; s.roundsAtStart = s.host.rounds; }
      const w = new Window();
      tally.window = w;
      const s0 = await target.stats();
      const redisCpu0 = target.redisCpuUs();
      const cpu0 = process.cpuUsage();
      genDelay.reset();
      const t0 = performance.now();
      await sleep(o.seconds * 1000);
      const wallMs = performance.now() - t0;
      const s1 = await target.stats();
      const redisCpu1 = target.redisCpuUs();
      const cpu1 = process.cpuUsage(cpu0);
      for (const s of sessions) { s.wireAtEnd = { ...s.wire }; s.roundsAtEnd = s.host.rounds; }
      // The next intents belong to no measured window (the next step's joins, or the drain).
      tally.window = new Window();
      const raw: RawStep = {
        w, wallMs, s0, s1, generatorCpuUs: cpu1.user + cpu1.system, generatorLoopDelayP99Ms: genDelay.percentile(99) / 1e6,
        sessions: sessions.length, players: sessions.reduce((t, s) => t + s.players.filter((p) => p.active).length, 0),
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
        ports: target.endpoints.map((e) => e.port),
        sessionsByProcess: target.endpoints.map((_, i) => sessions.filter((s) => s.home === i).length),
        playersByProcess: target.endpoints.map((_, i) => sessions.filter((s) => s.home === i).reduce((t, s) => t + s.players.filter((p) => p.active).length, 0)),
        redisCpuUs: redisCpu0 !== null && redisCpu1 !== null ? redisCpu1 - redisCpu0 : null,
      };
      rawSteps.push(raw);
      if (o.stepRooms) say(`${formatStep(stepReport(raw))} (results still in flight not counted yet)`);
    }

    // Stop: no new intents, no more advances; answer what is in flight.
    for (const s of sessions) for (const p of s.players) p.stop();
    await Promise.all(sessions.map((s) => s.host.stopAndSettle(10_000)));
    const drainUntil = Date.now() + 5000;
    while (tally.pending.size > 0 && Date.now() < drainUntil) await sleep(20);
  } finally {
    // Leave (consented), a few at a time, then stop the server.
    const rooms: { leaving: boolean; room: Room }[] = sessions.flatMap((s) => [s.host, ...s.players]);
    for (const r of rooms) r.leaving = true;
    for (let i = 0; i < rooms.length; i += 50) {
      await Promise.all(rooms.slice(i, i + 50).map((r) => (r.room.connection.isOpen
        ? Promise.race([r.room.leave(true).catch(() => undefined), sleep(2000)]) : Promise.resolve())));
    }
    clearInterval(rssSampler);
    genDelay.disable();
    await target.close();
    const file = target.profile();
    if (file && existsSync(file)) profile = { file, ...summariseProfile(file) };
  }

  // Bytes per player per round over the last (full-load) step, per session, then averaged over sessions.
  const perSession = sessions.map((s) => {
    const rounds = s.roundsAtEnd - s.roundsAtStart;
    const n = s.players.length;
    if (rounds <= 0 || n === 0) return null;
    return {
      state: (s.wireAtEnd.stateBytes - s.wireAtStart.stateBytes) / n / rounds,
      all: (wireTotal(s.wireAtEnd) - wireTotal(s.wireAtStart)) / n / rounds,
      patches: (s.wireAtEnd.patchFrames - s.wireAtStart.patchFrames) / n / rounds,
    };
  }).filter((x): x is { state: number; all: number; patches: number } => x !== null);
  const mean = (f: (x: (typeof perSession)[number]) => number) => (perSession.length ? perSession.reduce((t, x) => t + f(x), 0) / perSession.length : null);
  const roundsMeasured = sessions.reduce((t, s) => t + s.roundsAtEnd - s.roundsAtStart, 0);

  const steps = rawSteps.map(stepReport);
  const last = steps[steps.length - 1];
  const lastRaw = rawSteps[rawSteps.length - 1];
  // The knee: the first step from which p99 stays over the threshold (an isolated spike on a shared machine is not one).
  const over = (x: StepReport) => x.latencyMs.p99 === null || x.latencyMs.p99 > o.kneeMs;
  const kneeIndex = steps.findIndex((_, i) => steps.slice(i).every(over));
  const kneeStep = o.stepRooms && kneeIndex >= 0 ? steps[kneeIndex] : undefined;
  const spikes = o.stepRooms ? steps.filter((x, i) => over(x) && (kneeIndex < 0 || i < kneeIndex)).map((x) => x.players) : [];
  const s0 = lastRaw?.s0;
  const s1 = lastRaw?.s1;
  const serverCpuUs = s0 && s1 ? s1.reduce((t, b, i) => t + (b.cpuUserUs + b.cpuSystemUs) - (s0[i].cpuUserUs + s0[i].cpuSystemUs), 0) : null;
  const seconds = lastRaw ? lastRaw.wallMs / 1000 : 0;
  const idle = rawSteps.reduce((t, x) => t + x.w.idle, 0);
  const late = rawSteps.reduce((t, x) => t + x.w.late, 0);
  const round0 = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    options: o,
    serverMode: target.kind,
    startedAt,
    node: process.version,
    sessions: sessions.length,
    players: sessions.reduce((t, s) => t + s.players.length, 0),
    joinSeconds: Math.round(joinMs / 100) / 10,
    seconds: Math.round(seconds * 10) / 10,
    intentsSent: last?.intentsSent ?? 0,
    intentsPerSecond: last?.intentsPerSecond ?? 0,
    results: last?.results ?? 0,
    ok: lastRaw?.w.ok ?? 0,
    refused: last?.refused ?? {},
    latencyMs: last?.latencyMs ?? { p50: null, p95: null, p99: null, max: null },
    roundResolution: {
      serverMs: target.kind === "url" || !last ? null : { p50: last.resolveMs.p50, p95: last.resolveMs.p95, max: last.resolveMs.max },
      advanceToReportMs: last?.advanceToReportMs ?? { p50: null, p95: null, max: null },
      rounds: roundsMeasured,
    },
    bytesPerClientPerRound: { state: round0(mean((x) => x.state)), all: round0(mean((x) => x.all)), patchesPerRound: round1(mean((x) => x.patches)) },
    server: s0 && s1 && serverCpuUs !== null ? {
      cpuPercent: pctOf(serverCpuUs / 1000, lastRaw.wallMs), cpuSeconds: Math.round(serverCpuUs / 1e5) / 10,
      peakRssMB: s1.reduce((t, x) => t + Math.round(x.peakRss / 1048576), 0), eluPercent: last?.serverEluPercent ?? null,
      loopDelayP99Ms: Math.max(...s1.map((x) => Math.round(x.loopDelayP99Ms * 10) / 10)),
      mainOnCpuPercent: last?.serverMainOnCpuPercent ?? null, mainWaitingPercent: last?.serverMainWaitingPercent ?? null,
      isolated: s1.every((x) => x.isolated), processes: s1.length,
    } : null,
    processes: last?.processes ?? null,
    redis: target.redis ? { ...target.redis, cpuPercent: last?.redisCpuPercent ?? null } : null,
    generator: { cpuPercent: last?.generatorCpuPercent ?? 0, loopDelayP99Ms: last?.generatorLoopDelayP99Ms ?? 0, peakRssMB: Math.round(genPeakRss / 1048576) },
    errors: tally.errors,
    errorSamples: tally.errorSamples,
    disconnects: tally.disconnects,
    disconnectCodes: tally.disconnectCodes,
    lost: tally.pending.size,
    idleThinks: idle,
    lateThinks: late,
    hostRefused: tally.hostRefused,
    loadAverage: { start: loadStart, end: loadavg().map((x) => Math.round(x * 100) / 100) },
    steps: o.stepRooms ? steps : null,
    knee: o.stepRooms ? { players: kneeStep?.players ?? null, p99Ms: kneeStep?.latencyMs.p99 ?? null, thresholdMs: o.kneeMs, spikesAt: spikes } : null,
    profile,
    serverStderr: target.stderr().sort((a, b) => b.count - a.count).slice(0, 10),
  };
}

/** One measured step as recorded when it ended (its intents' results may still arrive afterwards). */
interface RawStep {
  w: Window;
  wallMs: number;
  /** Each server process's stats at the step's start and end (null with --url). */
  s0: ServerStats[] | null;
  s1: ServerStats[] | null;
  generatorCpuUs: number;
  generatorLoopDelayP99Ms: number;
  sessions: number;
  players: number;
  loadAverage: number[];
  ports: number[];
  sessionsByProcess: number[];
  playersByProcess: number[];
  redisCpuUs: number | null;
}

const sortNum = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const pctOf = (ms: number, wallMs: number) => Math.round((ms / wallMs) * 1000) / 10;

/** One server process over a step, from its stats at the start and the end. */
function processFigures(r: RawStep, i: number): ProcessFigures {
  const a = r.s0?.[i] ?? null;
  const b = r.s1?.[i] ?? null;
  const { wallMs } = r;
  const cpuUs = a && b ? (b.cpuUserUs + b.cpuSystemUs) - (a.cpuUserUs + a.cpuSystemUs) : null;
  const eluActive = a && b ? b.eluActiveMs - a.eluActiveMs : null;
  const eluTotal = a && b ? (b.eluActiveMs + b.eluIdleMs) - (a.eluActiveMs + a.eluIdleMs) : null;
  const lat = sortNum(r.w.latenciesByProcess[i] ?? []);
  const res = sortNum(b?.resolveMs ?? []);
  const sent = r.w.sentByProcess[i] ?? 0;
  return {
    process: i + 1, port: r.ports[i], pid: b?.pid ?? null, sessions: r.sessionsByProcess[i] ?? 0, players: r.playersByProcess[i] ?? 0,
    rooms: b?.rooms ?? null, clients: b?.clients ?? null,
    cpuPercent: cpuUs === null ? null : pctOf(cpuUs / 1000, wallMs), cpuSeconds: cpuUs === null ? null : Math.round(cpuUs / 1e5) / 10,
    eluPercent: eluActive !== null && eluTotal ? Math.round((eluActive / eluTotal) * 1000) / 10 : null,
    loopDelayP99Ms: b ? Math.round(b.loopDelayP99Ms * 10) / 10 : null, peakRssMB: b ? Math.round(b.peakRss / 1048576) : null,
    mainOnCpuPercent: a?.schedRunNs != null && b?.schedRunNs != null ? pctOf((b.schedRunNs - a.schedRunNs) / 1e6, wallMs) : null,
    mainWaitingPercent: a?.schedWaitNs != null && b?.schedWaitNs != null ? pctOf((b.schedWaitNs - a.schedWaitNs) / 1e6, wallMs) : null,
    intentsSent: sent, intentsPerSecond: Math.round((sent / (wallMs / 1000)) * 10) / 10,
    latencyMs: { p50: round1(percentile(lat, 0.5)), p95: round1(percentile(lat, 0.95)), p99: round1(percentile(lat, 0.99)), max: round1(lat[lat.length - 1] ?? null) },
    resolveMs: { p50: round1(percentile(res, 0.5)), p95: round1(percentile(res, 0.95)), max: round1(res[res.length - 1] ?? null), rounds: res.length },
  };
}

/** Mean of the non-null values (null if none), to one decimal. */
function meanOf(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round((v.reduce((t, x) => t + x, 0) / v.length) * 10) / 10 : null;
}

function stepReport(r: RawStep): StepReport {
  const lat = sortNum(r.w.latencies);
  const res = sortNum(r.s1?.flatMap((x) => x.resolveMs) ?? []);
  const adv = sortNum(r.w.advanceToReport);
  const { s0, s1, wallMs } = r;
  const procs = s0 && s1 ? s1.map((_, i) => processFigures(r, i)) : null;
  // All processes together: CPU summed; the per-thread shares averaged over the processes.
  const serverCpuUs = s0 && s1 ? s1.reduce((t, b, i) => t + (b.cpuUserUs + b.cpuSystemUs) - (s0[i].cpuUserUs + s0[i].cpuSystemUs), 0) : null;
  return {
    sessions: r.sessions, players: r.players, seconds: Math.round(wallMs / 100) / 10,
    intentsSent: r.w.sent, intentsPerSecond: Math.round((r.w.sent / (wallMs / 1000)) * 10) / 10, results: lat.length,
    latencyMs: { p50: round1(percentile(lat, 0.5)), p95: round1(percentile(lat, 0.95)), p99: round1(percentile(lat, 0.99)), max: round1(lat[lat.length - 1] ?? null) },
    refused: { ...r.w.refused },
    serverCpuPercent: serverCpuUs === null ? null : pctOf(serverCpuUs / 1000, wallMs),
    serverEluPercent: procs ? meanOf(procs.map((p) => p.eluPercent)) : null,
    serverMainOnCpuPercent: procs ? meanOf(procs.map((p) => p.mainOnCpuPercent)) : null,
    serverMainWaitingPercent: procs ? meanOf(procs.map((p) => p.mainWaitingPercent)) : null,
    resolveMs: { p50: round1(percentile(res, 0.5)), p95: round1(percentile(res, 0.95)), max: round1(res[res.length - 1] ?? null), rounds: res.length },
    advanceToReportMs: { p50: round1(percentile(adv, 0.5)), p95: round1(percentile(adv, 0.95)), max: round1(adv[adv.length - 1] ?? null) },
    generatorCpuPercent: pctOf(r.generatorCpuUs / 1000, wallMs),
    generatorLoopDelayP99Ms: Math.round(r.generatorLoopDelayP99Ms * 10) / 10,
    loadAverage: r.loadAverage,
    processes: procs,
    redisCpuPercent: r.redisCpuUs === null ? null : pctOf(r.redisCpuUs / 1000, wallMs),
  };
}

// ------------------------------------------------------------------------------- output

function ms(x: number | null): string {
  return x === null ? "–" : `${x} ms`;
}

function codes(r: Record<string, number>): string {
  const e = Object.entries(r).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

function formatStep(s: StepReport): string {
  return `step: ${s.sessions} sessions, ${s.players} players, ${s.intentsPerSecond} intents/s, p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, `
    + `p99 ${ms(s.latencyMs.p99)}, server CPU ${s.serverCpuPercent ?? "–"}% (loop busy ${s.serverEluPercent ?? "–"}%, main thread waiting for a CPU ${s.serverMainWaitingPercent ?? "–"}%), `
    + `resolve p50 ${ms(s.resolveMs.p50)}, `
    + (s.processes && s.processes.length > 1
      ? `per process CPU ${s.processes.map((p) => `${p.cpuPercent ?? "–"}%`).join(" / ")} (loop busy ${s.processes.map((p) => `${p.eluPercent ?? "–"}%`).join(" / ")}), `
        + `Redis CPU ${s.redisCpuPercent ?? "–"}%, `
      : "")
    + `generator CPU ${s.generatorCpuPercent}% (loop delay p99 ${s.generatorLoopDelayP99Ms} ms), load ${s.loadAverage.join(" ")}`;
}

/** With several processes (or Redis): each process, and the Redis. */
function processLines(r: LoadReport): string[] {
  const out: string[] = [];
  if (r.processes && (r.processes.length > 1 || r.redis)) {
    for (const p of r.processes) {
      out.push(`  process ${p.process} (port ${p.port}): ${p.sessions} session${p.sessions === 1 ? "" : "s"}, ${p.players} players (it counts ${p.rooms ?? "–"} rooms, ${p.clients ?? "–"} clients); `
        + `CPU ${p.cpuPercent ?? "–"}% of a core (${p.cpuSeconds ?? "–"} s), event loop busy ${p.eluPercent ?? "–"}%, loop delay p99 ${p.loopDelayP99Ms ?? "–"} ms, `
        + `peak RSS ${p.peakRssMB ?? "–"} MB, main thread waiting for a CPU ${p.mainWaitingPercent ?? "–"}%; `
        + `${p.intentsPerSecond} intents/s, p50 ${ms(p.latencyMs.p50)}, p95 ${ms(p.latencyMs.p95)}, p99 ${ms(p.latencyMs.p99)}; resolve p50 ${ms(p.resolveMs.p50)}`);
    }
  }
  if (r.redis) out.push(`redis: ${r.redis.started ? "throwaway redis-server" : "given"} at ${r.redis.url}, CPU ${r.redis.cpuPercent ?? "– (not measured)"}${r.redis.cpuPercent === null ? "" : "% of a core"}`);
  return out;
}

export function formatReport(r: LoadReport): string {
  const o = r.options;
  const lines = [
    `load test: ${r.sessions} sessions × ${o.players} players = ${r.players} players, ${r.seconds} s measured (after ${r.joinSeconds} s of joins), `
      + `server ${r.serverMode === "child" ? ((r.server?.processes ?? 1) > 1 ? `in ${r.server?.processes} processes sharing Redis${o.cross ? " (seats asked for through the next process)" : ""}` : "in its own process")
        : r.serverMode === "inline" ? "in this process" : o.url}, ${o.subnets ?? "scenario's"} subnets, `
      + `host:advance every ${o.advanceSeconds} s, ${o.intentsMin}–${o.intentsMax} intents per player per round`,
    `intents: ${r.intentsSent} sent (${r.intentsPerSecond}/s), ${r.results} answered, ${r.ok} ok; refused: ${codes(r.refused)}`,
    `intent -> result: p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
    `round resolution: ${r.roundResolution.rounds} rounds; in the room p50 ${ms(r.roundResolution.serverMs?.p50 ?? null)}, p95 ${ms(r.roundResolution.serverMs?.p95 ?? null)}, `
      + `max ${ms(r.roundResolution.serverMs?.max ?? null)}; host:advance -> report p50 ${ms(r.roundResolution.advanceToReportMs.p50)}, p95 ${ms(r.roundResolution.advanceToReportMs.p95)}`,
    `bytes received per player per round: state ${r.bytesPerClientPerRound.state ?? "–"} B (${r.bytesPerClientPerRound.patchesPerRound ?? "–"} patches), all ${r.bytesPerClientPerRound.all ?? "–"} B`,
    r.server && r.server.processes > 1
      ? `servers together (${r.server.processes} processes): CPU ${r.server.cpuPercent}% of a core (${r.server.cpuSeconds} s, summed), event loop busy ${r.server.eluPercent}% (mean), `
        + `loop delay p99 ${r.server.loopDelayP99Ms} ms (highest), peak RSS ${r.server.peakRssMB} MB (summed); main thread on a CPU ${r.server.mainOnCpuPercent ?? "–"}%, `
        + `waiting for one ${r.server.mainWaitingPercent ?? "–"}% (means)`
      : r.server
      ? `server${r.server.isolated ? "" : " (shares its process with the bots)"}: CPU ${r.server.cpuPercent}% of a core (${r.server.cpuSeconds} s), event loop busy ${r.server.eluPercent}%, `
        + `loop delay p99 ${r.server.loopDelayP99Ms} ms, peak RSS ${r.server.peakRssMB} MB; main thread on a CPU ${r.server.mainOnCpuPercent ?? "–"}%, `
        + `waiting for one ${r.server.mainWaitingPercent ?? "–"}%`
      : "server: not measured (--url)",
    ...processLines(r),
    `generator: CPU ${r.generator.cpuPercent}% of a core, loop delay p99 ${r.generator.loopDelayP99Ms} ms, peak RSS ${r.generator.peakRssMB} MB`,
    `errors ${r.errors}, disconnects ${r.disconnects}${r.disconnects ? ` (${codes(r.disconnectCodes)})` : ""}, lost intents ${r.lost}; `
      + `think times with nothing to send ${r.idleThinks}, after the round closed ${r.lateThinks}; host refusals: ${codes(r.hostRefused)}`,
    `load average: ${r.loadAverage.start.join(" ")} at start, ${r.loadAverage.end.join(" ")} at end (2 cores, shared)`,
  ];
  for (const e of r.errorSamples) lines.push(`  error: ${e}`);
  for (const e of r.serverStderr.slice(0, 3)) lines.push(`  server stderr ×${e.count}: ${e.line}`);
  if (r.steps) {
    lines.push("steps:");
    for (const s of r.steps) lines.push(`  ${formatStep(s)}`);
    lines.push(r.knee?.players ? `knee: p99 passed ${r.knee.thresholdMs} ms for good at ${r.knee.players} players (p99 ${r.knee.p99Ms} ms)`
      : `knee: p99 did not stay over ${r.knee?.thresholdMs} ms up to ${r.players} players`);
    if (r.knee?.spikesAt.length) lines.push(`  (isolated steps over ${r.knee.thresholdMs} ms before that: ${r.knee.spikesAt.join(", ")} players)`);
  }
  if (r.profile) lines.push(`server CPU profile: ${r.profile.file}`, formatProfile(r.profile));
  return lines.join("\n");
}

async function main(): Promise<number> {
  const parsed = parseLoadArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) { console.log(USAGE); return 0; }
    console.error(`loadtest: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const o = parsed.options;
  // Bounded: joins, S seconds per step, the drain and the shutdown; past that something is stuck.
  const steps = o.stepRooms ? Math.ceil(o.rooms / o.stepRooms) : 1;
  const limitMs = (steps * o.seconds + o.warmupSeconds + 120 + (o.rooms * o.players) / 5) * 1000;
  const watchdog = setTimeout(() => { console.error(`loadtest: still running after ${Math.round(limitMs / 1000)} s; giving up`); process.exit(1); }, limitMs);
  watchdog.unref();
  let report: LoadReport;
  try {
    report = await runLoad(o, (line) => console.error(`loadtest: ${line}`));
  } catch (e) {
    console.error(`loadtest: ${(e as Error).message}`);
    return 1;
  }
  console.log(formatReport(report));
  console.log(JSON.stringify({ ...report, profile: report.profile ? { ...report.profile } : null }));
  return 0;
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`loadtest: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
