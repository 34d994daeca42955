/**
 * Load test over the public protocol:
 *
 *   npm run loadtest -- --rooms R --players P --seconds S [--url ws://HOST:PORT] [--subnets N]
 *                       [--advance-seconds A] [--intents MIN-MAX] [--step-rooms K] [--cpu-prof DIR] [--inline]
 *
 * Starts the arena server on loopback in a child process (its own CPU, memory and --cpu-prof; the
 * bots' decoding runs on the other core), or targets --url; --inline runs the server in this very
 * process instead (what the CI test does). Creates R private sessions (through the HTTP sessions API;
 * with --subnets N through the server's store, since the API has no such option), connects R×P
 * colyseus.js players plus one host per session, and plays: each session's host starts the game and
 * sends host:advance every A seconds (default 5; the server then pauses --resolve-seconds, default 1);
 * each player sends MIN–MAX intents per round (default 1–3) at think times spread over the round,
 * decided by a shared/bots.ts strategy from the view rebuilt from the synced state (once per intent,
 * never per patch). Stakers stake and unstake, builders set effort (and register and back a subnet),
 * validators self-stake and set weights. After S seconds of play it stops sending, waits up to 5 s
 * for outstanding results, leaves, stops the server, and prints a human-readable report then one
 * JSON line.
 *
 * --step-rooms K: a stepped run for finding the knee: start with K sessions, hold S seconds, record,
 * add K more, ... up to R sessions; each step is reported on its own (players, intents/s, p99, CPU).
 *
 * Exit codes: 0 done (whatever the figures); 1 the run could not be made (server, sessions, joins);
 * 2 bad arguments.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Client, type Room } from "colyseus.js";
import {
  type Action, botActions, botRole, type BotStrategy, type PlayerView, type ResultMessage, type Rng, type ValidatorSignals,
} from "../shared/index.js";
import type { ArenaState } from "../server/room/schema.js";
import { botRng, type BotMemory, resolvedRounds, viewFromSync } from "./lib/botView.js";
import { formatProfile, summariseProfile, type ProfileSummary } from "./lib/cpuProfile.js";
import type { LoadServer, ServerStats, StoredSessionOptions } from "./lib/loadServer.js";
import { countWire, newWireCount, type WireCount, wireTotal } from "./lib/wireBytes.js";

export const USAGE = "usage: npm run loadtest -- --rooms R --players P --seconds S [--url ws://HOST:PORT] [--subnets N] [--advance-seconds A] "
  + "[--resolve-seconds W] [--intents MIN-MAX] [--step-rooms K] [--knee-ms MS] [--cpu-prof DIR] [--inline] [--port N] [--seed N]";

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
  seed: number;
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
        inline: { type: "boolean" }, port: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" },
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
  let seed = (Date.now() ^ (process.pid << 16)) | 0;
  const rawSeed = str("seed");
  if (rawSeed !== undefined) {
    seed = Number(rawSeed);
    if (!/^-?\d+$/.test(rawSeed) || !Number.isSafeInteger(seed)) return fail(`--seed must be an integer, not "${rawSeed}"`);
  }
  return {
    ok: true,
    options: { rooms, players, seconds, url, subnets, advanceSeconds, resolveSeconds, intentsMin, intentsMax, stepRooms, kneeMs, cpuProf, inline, port, seed },
  };
}

// ------------------------------------------------------------------------------- the target server

interface Target {
  url: string;
  http: string;
  kind: "child" | "inline" | "url";
  createSession(o: StoredSessionOptions & { viaStore: boolean }): Promise<{ code: string; hostToken: string }>;
  /** null when the server is not ours to measure (--url). */
  stats(): Promise<ServerStats | null>;
  close(): Promise<void>;
  /** The .cpuprofile written when the server stopped, if any. */
  profile(): string | null;
}

async function firstFreePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((done) => {
      const s = createServer();
      s.once("error", () => done(false));
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
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
  const port = o.port || await firstFreePort(4731, 4760);
  const server: LoadServer = await startLoadServer({ port, resolveSeconds: o.resolveSeconds }, false);
  return {
    url: server.url, http: server.http, kind: "inline",
    createSession: (s) => (s.viaStore ? server.createStoredSession(s) : apiSession(server.http, s)),
    stats: async () => server.stats(),
    close: () => server.close(),
    profile: () => null,
  };
}

async function childTarget(o: LoadOptions): Promise<Target> {
  const port = o.port || await firstFreePort(4731, 4760);
  const profDir = o.cpuProf ? resolve(o.cpuProf) : null;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const before = new Set(profDir ? readdirSync(profDir) : []);
  const entry = fileURLToPath(new URL("./lib/loadServerChild.ts", import.meta.url));
  const child: ChildProcess = fork(entry, [], {
    execArgv: [...process.execArgv, ...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [])],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", LOAD_PORT: String(port), LOAD_RESOLVE_SECONDS: String(o.resolveSeconds) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((done) => child.once("exit", () => {
    for (const w of waiting.values()) w.reject(new Error("the server process exited"));
    waiting.clear();
    done();
  }));
  const ready = new Promise<number>((done, fail) => {
    const t = setTimeout(() => fail(new Error("the server process did not start in 60 s")), 60_000);
    child.on("message", (raw) => {
      const m = raw as { op?: string; port?: number; error?: string; id?: number; ok?: boolean; value?: unknown };
      if (m.op === "ready") { clearTimeout(t); done(m.port!); return; }
      if (m.op === "failed") { clearTimeout(t); fail(new Error(`the server process failed: ${m.error}`)); return; }
      if (m.id === undefined) return;
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (w) { if (m.ok) w.resolve(m.value); else w.reject(new Error(m.error)); }
    });
    void exited.then(() => { clearTimeout(t); fail(new Error("the server process exited before it was ready")); });
  });
  const ask = <T>(op: string, options?: unknown): Promise<T> => new Promise((done, fail) => {
    const id = ++nextId;
    waiting.set(id, { resolve: done as (v: unknown) => void, reject: fail });
    child.send({ id, op, options });
  });
  const listening = await ready;
  const http = `http://127.0.0.1:${listening}`;
  return {
    url: `ws://127.0.0.1:${listening}`, http, kind: "child",
    createSession: (s) => (s.viaStore ? ask("create", s) : apiSession(http, s)),
    stats: () => ask<ServerStats>("stats"),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ id: ++nextId, op: "stop" });
        const t = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(t);
      }
    },
    profile() {
      if (!profDir) return null;
      const fresh = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f))
        .map((f) => join(profDir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      return fresh[0] ?? null;
    },
  };
}

function urlTarget(url: string): Target {
  const http = url.replace(/^ws:/, "http:");
  return {
    url, http, kind: "url",
    createSession: (s) => apiSession(http, s),
    stats: async () => null,
    close: async () => undefined,
    profile: () => null,
  };
}

// ------------------------------------------------------------------------------- measurements

/** Everything the bots and hosts count; `window` figures are reset at the start of each measured step. */
class Tally {
  /** Intent latencies (send to result), ms, of results received in the current window. */
  latencies: number[] = [];
  sent = 0;
  ok = 0;
  refused: Record<string, number> = {};
  errors = 0;
  errorSamples: string[] = [];
  disconnects = 0;
  disconnectCodes: Record<string, number> = {};
  /** Think times that found nothing sensible to send (e.g. no TAO left), or fell after the round closed. */
  idle = 0;
  late = 0;
  /** host:advance sent to the round's report received by the host, ms. */
  advanceToReport: number[] = [];
  hostRefused: Record<string, number> = {};
  /** Intents in flight: ref -> send time (performance.now()). */
  readonly pending = new Map<number, number>();
  nextRef = 0;

  error(what: string) {
    this.errors++;
    if (this.errorSamples.length < 10) this.errorSamples.push(what.slice(0, 200));
  }

  resetWindow() {
    this.latencies = [];
    this.sent = 0;
    this.ok = 0;
    this.refused = {};
    this.idle = 0;
    this.late = 0;
    this.advanceToReport = [];
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

interface Pace { advanceMs: number; intentsMin: number; intentsMax: number }

/** Think times keep clear of the round's end, so few intents race the host's advance. */
const THINK_FROM_MS = 200;
const THINK_UNTIL_SHARE = 0.8;

class LoadPlayer {
  playerId = "";
  active = false;
  leaving = false;
  private signals: ValidatorSignals | null = null;
  private memory: BotMemory | null = null;
  private lastRound = -1;
  private timers: NodeJS.Timeout[] = [];

  constructor(readonly room: Room<ArenaState>, readonly strategy: BotStrategy, private readonly rng: Rng,
    private readonly tally: Tally, private readonly pace: Pace, readonly wire: WireCount, private readonly tag: string) {
    room.onMessage("seat", (m: { playerId: string }) => { this.playerId = m.playerId; });
    room.onMessage("signals", (m: ValidatorSignals) => { this.signals = m; });
    room.onMessage("result", (r: ResultMessage) => this.onResult(r));
    room.onMessage("*", () => undefined); // report, income: not needed to decide
    // Per patch: two comparisons. The view is rebuilt only when an intent is about to be sent.
    room.onStateChange((s) => {
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
    const sentAt = this.tally.pending.get(r.ref);
    if (sentAt === undefined) return;
    this.tally.pending.delete(r.ref);
    this.tally.latencies.push(performance.now() - sentAt);
    if (r.ok) this.tally.ok++;
    else {
      const code = r.code ?? "unknown";
      this.tally.refused[code] = (this.tally.refused[code] ?? 0) + 1;
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
    if (!this.playerId || s.phase !== "acting" || s.paused || s.round !== round) { this.tally.late++; return; }
    const me = s.players.get(this.playerId);
    if (!me) { this.tally.idle++; return; }
    this.memory ??= { granted: me.tao, joinedRound: resolvedRounds(s) };
    let action: Action | null;
    try {
      action = this.choose(viewFromSync(s, this.playerId, this.signals, this.memory));
    } catch (e) {
      this.tally.error(`${this.tag}: strategy failed: ${(e as Error).message}`);
      return;
    }
    if (!action) { this.tally.idle++; return; }
    const { type, ...fields } = action;
    const ref = ++this.tally.nextRef;
    this.tally.pending.set(ref, performance.now());
    this.tally.sent++;
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

class LoadHost {
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
        tally.advanceToReport.push(performance.now() - this.advanceSentAt);
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
  resolveMs: { p50: number | null; p95: number | null; max: number | null; rounds: number };
  advanceToReportMs: { p50: number | null; p95: number | null; max: number | null };
  generatorCpuPercent: number;
  generatorLoopDelayP99Ms: number;
  loadAverage: number[];
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
  server: { cpuPercent: number | null; cpuSeconds: number | null; peakRssMB: number | null; eluPercent: number | null; loopDelayP99Ms: number | null; isolated: boolean } | null;
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
  knee: { players: number | null; p99Ms: number | null; thresholdMs: number } | null;
  profile: (ProfileSummary & { file: string }) | null;
}

interface Session {
  code: string;
  host: LoadHost;
  players: LoadPlayer[];
  wire: WireCount;
  /** Wire counts and host rounds at the start of the measurement (subtracted at the end). */
  wireAtStart: WireCount;
  roundsAtStart: number;
}

const JOIN_CONCURRENCY = 20;

export async function runLoad(o: LoadOptions, say: (line: string) => void = () => undefined): Promise<LoadReport> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const target = o.url ? urlTarget(o.url) : o.inline ? await inlineTarget(o) : await childTarget(o);
  const tally = new Tally();
  const sessions: Session[] = [];
  const pace: Pace = { advanceMs: o.advanceSeconds * 1000, intentsMin: o.intentsMin, intentsMax: o.intentsMax };
  const client = new Client(target.url);
  const genDelay = monitorEventLoopDelay({ resolution: 10 });
  genDelay.enable();
  let genPeakRss = process.memoryUsage().rss;
  const rssSampler = setInterval(() => { genPeakRss = Math.max(genPeakRss, process.memoryUsage().rss); }, 500);
  // Enough rounds that no game ends during the run (200 is the sessions API's limit).
  const cycleSeconds = o.advanceSeconds + (o.url ? 4 : o.resolveSeconds);
  const steps = o.stepRooms ? Math.ceil(o.rooms / o.stepRooms) : 1;
  const rounds = Math.min(200, Math.ceil((o.seconds * steps) / cycleSeconds) + 10);
  if (rounds === 200 && (o.seconds * steps) / cycleSeconds > 190) say(`warning: ${Math.round((o.seconds * steps) / cycleSeconds)} rounds needed, sessions hold 200; raise --advance-seconds`);
  let joinMs = 0;
  const stepReports: StepReport[] = [];
  let profile: LoadReport["profile"] = null;
  let serverTotals: { cpuUs: number; wallMs: number; peakRss: number; eluActive: number; eluTotal: number; loopP99: number; isolated: boolean } | null = null;
  const allResolveMs: number[] = [];
  const allAdvance: number[] = [];
  const allLatencies: number[] = [];
  const totals = { sent: 0, ok: 0, refused: {} as Record<string, number>, idle: 0, late: 0 };
  let measuredSeconds = 0;

  try {
    const addSessions = async (count: number) => {
      const t0 = performance.now();
      const fresh: Session[] = [];
      for (let i = 0; i < count; i++) {
        const index = sessions.length + fresh.length;
        const { code, hostToken } = await target.createSession({
          viaStore: o.subnets !== null, subnets: o.subnets ?? 8, rounds, roundSeconds: 3600, maxPlayers: Math.max(60, o.players + 5),
        });
        const hostRoom = await client.joinById<ArenaState>(code, { role: "host", hostToken, name: "Load host" });
        const wire = newWireCount();
        fresh.push({ code, host: new LoadHost(hostRoom, tally, pace.advanceMs, `session ${index + 1} host`), players: [], wire, wireAtStart: newWireCount(), roundsAtStart: 0 });
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
            const room = await client.joinById<ArenaState>(s.code, { name: `Load ${k + 1}`, role: botRole(strategy) });
            countWire(room, s.wire);
            s.players.push(new LoadPlayer(room, strategy, botRng(o.seed, si * 1000 + k), tally, pace, s.wire, tag));
          } catch (e) {
            failures++;
            tally.error(`${tag}: could not join: ${(e as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
      if (failures === jobs.length && jobs.length > 0) throw new Error("no player could join");
      for (const s of fresh) { await s.host.start(); for (const p of s.players) p.start(); }
      sessions.push(...fresh);
      joinMs += performance.now() - t0;
      say(`${sessions.length} sessions, ${sessions.reduce((t, s) => t + s.players.length, 0)} players connected (joins took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    };

    const stepCount = o.stepRooms ? Math.ceil(o.rooms / o.stepRooms) : 1;
    for (let step = 0; step < stepCount; step++) {
      const add = o.stepRooms ? Math.min(o.stepRooms, o.rooms - sessions.length) : o.rooms;
      await addSessions(add);
      // Measure from here: reset the window, snapshot wire counts and rounds.
      for (const s of sessions) { s.wireAtStart = { ...s.wire }; s.roundsAtStart = s.host.rounds; }
      tally.resetWindow();
      const s0 = await target.stats();
      const cpu0 = process.cpuUsage();
      genDelay.reset();
      const t0 = performance.now();
      await sleep(o.seconds * 1000);
      const wallMs = performance.now() - t0;
      const s1 = await target.stats();
      const cpu1 = process.cpuUsage(cpu0);
      const lat = [...tally.latencies].sort((a, b) => a - b);
      const res = s1?.resolveMs.slice().sort((a, b) => a - b) ?? [];
      const adv = [...tally.advanceToReport].sort((a, b) => a - b);
      const serverCpuUs = s0 && s1 ? (s1.cpuUserUs + s1.cpuSystemUs) - (s0.cpuUserUs + s0.cpuSystemUs) : null;
      const eluActive = s0 && s1 ? s1.eluActiveMs - s0.eluActiveMs : null;
      const eluTotal = s0 && s1 ? (s1.eluActiveMs + s1.eluIdleMs) - (s0.eluActiveMs + s0.eluIdleMs) : null;
      const players = sessions.reduce((t, s) => t + s.players.filter((p) => p.active).length, 0);
      const report: StepReport = {
        sessions: sessions.length, players, seconds: Math.round(wallMs / 100) / 10,
        intentsSent: tally.sent, intentsPerSecond: Math.round((tally.sent / (wallMs / 1000)) * 10) / 10, results: lat.length,
        latencyMs: { p50: round1(percentile(lat, 0.5)), p95: round1(percentile(lat, 0.95)), p99: round1(percentile(lat, 0.99)), max: round1(lat[lat.length - 1] ?? null) },
        refused: { ...tally.refused },
        serverCpuPercent: serverCpuUs === null ? null : Math.round((serverCpuUs / 1000 / wallMs) * 1000) / 10,
        serverEluPercent: eluActive !== null && eluTotal ? Math.round((eluActive / eluTotal) * 1000) / 10 : null,
        resolveMs: { p50: round1(percentile(res, 0.5)), p95: round1(percentile(res, 0.95)), max: round1(res[res.length - 1] ?? null), rounds: res.length },
        advanceToReportMs: { p50: round1(percentile(adv, 0.5)), p95: round1(percentile(adv, 0.95)), max: round1(adv[adv.length - 1] ?? null) },
        generatorCpuPercent: Math.round(((cpu1.user + cpu1.system) / 1000 / wallMs) * 1000) / 10,
        generatorLoopDelayP99Ms: Math.round((genDelay.percentile(99) / 1e6) * 10) / 10,
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      };
      stepReports.push(report);
      if (o.stepRooms) say(formatStep(report));
      // Whole-run figures: the last step is the full load (the only step without --step-rooms).
      if (step === stepCount - 1) {
        measuredSeconds = wallMs / 1000;
        allLatencies.push(...lat);
        allResolveMs.push(...res);
        allAdvance.push(...adv);
        totals.sent = tally.sent; totals.ok = tally.ok; totals.refused = { ...tally.refused }; totals.idle = tally.idle; totals.late = tally.late;
        if (s0 && s1) {
          serverTotals = {
            cpuUs: serverCpuUs!, wallMs, peakRss: s1.peakRss, eluActive: eluActive!, eluTotal: eluTotal!, loopP99: s1.loopDelayP99Ms, isolated: s1.isolated,
          };
        }
      }
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

  // Bytes per player per round, per session, then averaged over sessions.
  const perSession = sessions.map((s) => {
    const rounds = s.host.rounds - s.roundsAtStart;
    const n = s.players.length;
    if (rounds <= 0 || n === 0) return null;
    return {
      state: (s.wire.stateBytes - s.wireAtStart.stateBytes) / n / rounds,
      all: (wireTotal(s.wire) - wireTotal(s.wireAtStart)) / n / rounds,
      patches: (s.wire.patchFrames - s.wireAtStart.patchFrames) / n / rounds,
    };
  }).filter((x): x is { state: number; all: number; patches: number } => x !== null);
  const mean = (f: (x: (typeof perSession)[number]) => number) => (perSession.length ? Math.round(perSession.reduce((t, x) => t + f(x), 0) / perSession.length) : null);
  const roundsMeasured = sessions.reduce((t, s) => t + s.host.rounds - s.roundsAtStart, 0);

  allLatencies.sort((a, b) => a - b);
  const last = stepReports[stepReports.length - 1];
  const kneeStep = o.stepRooms ? stepReports.find((s) => s.latencyMs.p99 !== null && s.latencyMs.p99 > o.kneeMs) : undefined;
  const st = serverTotals as { cpuUs: number; wallMs: number; peakRss: number; eluActive: number; eluTotal: number; loopP99: number; isolated: boolean } | null;
  return {
    options: o,
    serverMode: target.kind,
    startedAt,
    node: process.version,
    sessions: sessions.length,
    players: sessions.reduce((t, s) => t + s.players.length, 0),
    joinSeconds: Math.round(joinMs / 100) / 10,
    seconds: Math.round(measuredSeconds * 10) / 10,
    intentsSent: totals.sent,
    intentsPerSecond: measuredSeconds > 0 ? Math.round((totals.sent / measuredSeconds) * 10) / 10 : 0,
    results: allLatencies.length,
    ok: totals.ok,
    refused: totals.refused,
    latencyMs: last?.latencyMs ?? { p50: null, p95: null, p99: null, max: null },
    roundResolution: {
      serverMs: target.kind === "url" ? null : last?.resolveMs ? { p50: last.resolveMs.p50, p95: last.resolveMs.p95, max: last.resolveMs.max } : null,
      advanceToReportMs: last?.advanceToReportMs ?? { p50: null, p95: null, max: null },
      rounds: roundsMeasured,
    },
    bytesPerClientPerRound: { state: mean((x) => x.state), all: mean((x) => x.all), patchesPerRound: perSession.length ? Math.round((perSession.reduce((t, x) => t + x.patches, 0) / perSession.length) * 10) / 10 : null },
    server: st ? {
      cpuPercent: Math.round((st.cpuUs / 1000 / st.wallMs) * 1000) / 10, cpuSeconds: Math.round(st.cpuUs / 1e5) / 10,
      peakRssMB: Math.round(st.peakRss / 1048576), eluPercent: st.eluTotal > 0 ? Math.round((st.eluActive / st.eluTotal) * 1000) / 10 : null,
      loopDelayP99Ms: Math.round(st.loopP99 * 10) / 10, isolated: st.isolated,
    } : null,
    generator: { cpuPercent: last?.generatorCpuPercent ?? 0, loopDelayP99Ms: last?.generatorLoopDelayP99Ms ?? 0, peakRssMB: Math.round(genPeakRss / 1048576) },
    errors: tally.errors,
    errorSamples: tally.errorSamples,
    disconnects: tally.disconnects,
    disconnectCodes: tally.disconnectCodes,
    lost: tally.pending.size,
    idleThinks: totals.idle,
    lateThinks: totals.late,
    hostRefused: tally.hostRefused,
    loadAverage: { start: loadStart, end: loadavg().map((x) => Math.round(x * 100) / 100) },
    steps: o.stepRooms ? stepReports : null,
    knee: o.stepRooms ? { players: kneeStep?.players ?? null, p99Ms: kneeStep?.latencyMs.p99 ?? null, thresholdMs: o.kneeMs } : null,
    profile,
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
    + `p99 ${ms(s.latencyMs.p99)}, server CPU ${s.serverCpuPercent ?? "–"}% (loop busy ${s.serverEluPercent ?? "–"}%), resolve p50 ${ms(s.resolveMs.p50)}, `
    + `generator CPU ${s.generatorCpuPercent}% (loop delay p99 ${s.generatorLoopDelayP99Ms} ms), load ${s.loadAverage.join(" ")}`;
}

export function formatReport(r: LoadReport): string {
  const o = r.options;
  const lines = [
    `load test: ${r.sessions} sessions × ${o.players} players = ${r.players} players, ${r.seconds} s measured (after ${r.joinSeconds} s of joins), `
      + `server ${r.serverMode === "child" ? "in its own process" : r.serverMode === "inline" ? "in this process" : o.url}, ${o.subnets ?? "scenario's"} subnets, `
      + `host:advance every ${o.advanceSeconds} s, ${o.intentsMin}–${o.intentsMax} intents per player per round`,
    `intents: ${r.intentsSent} sent (${r.intentsPerSecond}/s), ${r.results} answered, ${r.ok} ok; refused: ${codes(r.refused)}`,
    `intent -> result: p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
    `round resolution: ${r.roundResolution.rounds} rounds; in the room p50 ${ms(r.roundResolution.serverMs?.p50 ?? null)}, p95 ${ms(r.roundResolution.serverMs?.p95 ?? null)}, `
      + `max ${ms(r.roundResolution.serverMs?.max ?? null)}; host:advance -> report p50 ${ms(r.roundResolution.advanceToReportMs.p50)}, p95 ${ms(r.roundResolution.advanceToReportMs.p95)}`,
    `bytes received per player per round: state ${r.bytesPerClientPerRound.state ?? "–"} B (${r.bytesPerClientPerRound.patchesPerRound ?? "–"} patches), all ${r.bytesPerClientPerRound.all ?? "–"} B`,
    r.server
      ? `server${r.server.isolated ? "" : " (shares its process with the bots)"}: CPU ${r.server.cpuPercent}% of a core (${r.server.cpuSeconds} s), event loop busy ${r.server.eluPercent}%, `
        + `loop delay p99 ${r.server.loopDelayP99Ms} ms, peak RSS ${r.server.peakRssMB} MB`
      : "server: not measured (--url)",
    `generator: CPU ${r.generator.cpuPercent}% of a core, loop delay p99 ${r.generator.loopDelayP99Ms} ms, peak RSS ${r.generator.peakRssMB} MB`,
    `errors ${r.errors}, disconnects ${r.disconnects}${r.disconnects ? ` (${codes(r.disconnectCodes)})` : ""}, lost intents ${r.lost}; `
      + `think times with nothing to send ${r.idleThinks}, after the round closed ${r.lateThinks}; host refusals: ${codes(r.hostRefused)}`,
    `load average: ${r.loadAverage.start.join(" ")} at start, ${r.loadAverage.end.join(" ")} at end (2 cores, shared)`,
  ];
  for (const e of r.errorSamples) lines.push(`  error: ${e}`);
  if (r.steps) {
    lines.push("steps:");
    for (const s of r.steps) lines.push(`  ${formatStep(s)}`);
    lines.push(r.knee?.players ? `knee: p99 passed ${r.knee.thresholdMs} ms at ${r.knee.players} players (p99 ${r.knee.p99Ms} ms)`
      : `knee: p99 stayed under ${r.knee?.thresholdMs} ms up to ${r.players} players`);
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
  const limitMs = (steps * o.seconds + 120 + (o.rooms * o.players) / 5) * 1000;
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
