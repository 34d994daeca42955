/**
 * Honest players and hosts for the fault scenarios, over the public protocol (colyseus.js 0.16, as
 * the browser client plays): each player decides with a shared/bots.ts strategy from the synced
 * state (scripts/lib/botView.ts), sends intents with refs, and remembers every intent the server
 * acknowledged (`ok: true`), every one it refused, and the ones still in flight when a connection
 * ended, so a scenario can check the session's log against them. A player can be moved to a new
 * connection (Colyseus reconnection or the seat token) and keeps its books.
 */
import { performance } from "node:perf_hooks";
import { Client, type Room } from "colyseus.js";
import { type Action, botActions, botRole, type BotStrategy, type PlayerView, type ResultMessage, type Rng, type ValidatorSignals } from "../../shared/index.js";
import type { ArenaState } from "../../server/room/schema.js";
import { botRng, type BotMemory, resolvedRounds, viewFromSync } from "../lib/botView.js";

/** A class's mix: staker, builder, staker, validator, staker. */
const STAKERS: BotStrategy[] = ["noise", "valueInvestor", "momentum", "rootSaver", "panicSeller", "whale"];
export function strategyFor(index: number): BotStrategy {
  switch (index % 5) {
    case 1: return index % 2 ? "researchBuilder" : "productBuilder";
    case 3: return index % 3 ? "honestValidator" : "lazyValidator";
    default: return STAKERS[Math.floor(index / 2) % STAKERS.length];
  }
}

/** An action as the server logs it ({ ...fields, type } without the ref), keys sorted, as one string. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Send-to-result latencies and outcomes of intents sent during one part of a scenario. */
export class Meter {
  latencies: number[] = [];
  sent = 0;
  ok = 0;
  refused: Record<string, number> = {};
  constructor(readonly label: string) {}
}

export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summary(m: Meter) {
  const r = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  return {
    label: m.label, sent: m.sent, answered: m.latencies.length, ok: m.ok, refused: { ...m.refused },
    p50: r(percentile(m.latencies, 0.5)), p95: r(percentile(m.latencies, 0.95)), p99: r(percentile(m.latencies, 0.99)),
    max: r(m.latencies.length ? Math.max(...m.latencies) : null),
  };
}

/** What every player and host of a scenario counts together. */
export class Tally {
  meter = new Meter("start");
  errors: string[] = [];
  /** Close codes of connections that ended without the scenario asking. */
  closes: Record<string, number> = {};
  error(what: string) { if (this.errors.length < 50) this.errors.push(what.slice(0, 3000)); }
}

export interface AckedIntent { playerId: string; action: string; at: number }

export interface Pace {
  /** Mean intents a second per player while a round is open. */
  rate: number;
}

export class Player {
  playerId = "";
  seatToken = "";
  room: Room<ArenaState> | null = null;
  /** Intents the server answered ok, in the order of their answers. */
  readonly acked: AckedIntent[] = [];
  /** Refused intents (canonical actions): none of them may be in the log. */
  readonly refusedActions: string[] = [];
  /** Sent, no answer yet. */
  readonly inFlight = new Map<string, { action: string; t: number; meter: Meter }>();
  /** In flight when a connection ended: the server may or may not have logged them. */
  readonly unknown: string[] = [];
  private thinking = false;
  private timer: NodeJS.Timeout | null = null;
  private signals: ValidatorSignals | null = null;
  private memory: BotMemory | null = null;
  private refs = 0;
  /** Set while a scenario takes the connection down on purpose. */
  expectingClose = false;
  onDropped: ((code: number) => void) | null = null;

  readonly strategy: BotStrategy;
  private readonly rng: Rng;

  constructor(readonly index: number, readonly code: string, readonly tally: Tally, private readonly pace: Pace, seed: number) {
    this.strategy = strategyFor(index);
    this.rng = botRng(seed, index);
  }

  get role() { return botRole(this.strategy); }
  get connected() { return this.room !== null && this.room.connection.isOpen; }

  /** Join as a new player (name and role) and wait for the seat. */
  async join(url: string, timeoutMs = 15_000): Promise<void> {
    const room = await new Client(url).joinById<ArenaState>(this.code, { name: `P${this.index + 1}`, role: this.role });
    const seat = await this.attach(room, true, timeoutMs);
    this.playerId = seat!.playerId;
    this.seatToken = seat!.seatToken;
  }

  /** Come back with the seat token (a reload, or after a restart); resolves with the player id the server gave. */
  async rejoin(url: string, timeoutMs = 15_000): Promise<string> {
    const room = await new Client(url).joinById<ArenaState>(this.code, { seatToken: this.seatToken });
    const seat = await this.attach(room, true, timeoutMs);
    return seat!.playerId;
  }

  /** Colyseus reconnection (same live connection slot; there is no seat message). */
  async reconnect(url: string, reconnectionToken: string): Promise<void> {
    const room = await new Client(url).reconnect<ArenaState>(reconnectionToken);
    await this.attach(room, false);
  }

  private attach(room: Room<ArenaState>, waitSeat: boolean, timeoutMs = 15_000): Promise<{ playerId: string; seatToken: string } | null> {
    this.room = room;
    let seatDone: (s: { playerId: string; seatToken: string }) => void = () => undefined;
    const seat = new Promise<{ playerId: string; seatToken: string }>((r) => { seatDone = r; });
    room.onMessage("seat", (m: { playerId: string; seatToken: string }) => seatDone(m));
    room.onMessage("signals", (m: ValidatorSignals) => { this.signals = m; });
    room.onMessage("result", (r: ResultMessage) => this.onResult(r));
    room.onMessage("*", () => undefined);
    room.onError((code, message) => this.tally.error(`P${this.index + 1}: room error ${code} ${message ?? ""}`));
    room.onLeave((code) => {
      if (this.room !== room) return;
      // Whatever was in flight may or may not have been logged: the log decides.
      for (const [, f] of this.inFlight) this.unknown.push(f.action);
      this.inFlight.clear();
      if (!this.expectingClose && code !== 4000) this.tally.closes[String(code)] = (this.tally.closes[String(code)] ?? 0) + 1;
      this.onDropped?.(code);
    });
    if (!waitSeat) return Promise.resolve(null);
    return Promise.race([seat, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`P${this.index + 1}: no seat message`)), timeoutMs))]);
  }

  private onResult(r: ResultMessage) {
    if (typeof r.ref !== "string") return;
    const f = this.inFlight.get(r.ref);
    if (!f) return;
    this.inFlight.delete(r.ref);
    f.meter.latencies.push(performance.now() - f.t);
    if (r.ok) {
      f.meter.ok++;
      this.acked.push({ playerId: this.playerId, action: f.action, at: Date.now() });
    } else {
      const code = r.code ?? "unknown";
      f.meter.refused[code] = (f.meter.refused[code] ?? 0) + 1;
      this.refusedActions.push(f.action);
      if (code === "server/error") this.tally.error(`P${this.index + 1}: ${r.type} ${code} ${r.message ?? ""}`);
    }
  }

  /** Send one intent now (any type and payload); resolves with its result, or null if the connection ended first. */
  send(type: string, fields: Record<string, unknown>): void {
    const room = this.room;
    if (!room || !room.connection.isOpen) return;
    const ref = `i${this.index}-${++this.refs}`;
    const action = canonical({ ...fields, type });
    this.inFlight.set(ref, { action, t: performance.now(), meter: this.tally.meter });
    this.tally.meter.sent++;
    room.send(type, { ...fields, ref });
  }

  /** Start deciding and sending intents at the pace's rate while a round is open. */
  start() {
    if (this.thinking) return;
    this.thinking = true;
    this.schedule();
  }

  stop() {
    this.thinking = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule() {
    if (!this.thinking) return;
    // Exponential think times: intents arrive like independent people's.
    const wait = -Math.log(1 - this.rng.next()) / this.pace.rate * 1000;
    this.timer = setTimeout(() => { this.think(); this.schedule(); }, Math.min(wait, 30_000));
  }

  /** Decide and send one intent now (if there is something sensible to do); true if one was sent. */
  act(): boolean {
    const before = this.inFlight.size;
    this.think();
    return this.inFlight.size > before;
  }

  private think() {
    const room = this.room;
    if (!room || !room.connection.isOpen || !this.playerId) return;
    const s = room.state;
    if (!s || s.phase !== "acting" || s.paused) return;
    const me = s.players?.get(this.playerId);
    if (!me) return;
    this.memory ??= { granted: me.tao, joinedRound: resolvedRounds(s) };
    let action: Action | null;
    try {
      action = this.choose(viewFromSync(s, this.playerId, this.signals, this.memory));
    } catch (e) {
      this.tally.error(`P${this.index + 1}: strategy failed: ${(e as Error).message}`);
      return;
    }
    if (!action) return;
    const { type, ...fields } = action;
    this.send(type, fields);
  }

  /** One intent, as a person would: the strategy's idea of the moment, with a fallback so each role keeps acting. */
  private choose(view: PlayerView): Action | null {
    const actions = botActions(this.strategy, view, this.rng);
    if (botRole(this.strategy) === "builder" && (actions.length === 0 || this.rng.chance(0.5))) {
      const research = Math.round(Math.min(1, Math.max(0, 0.5 + this.rng.range(-0.4, 0.4))) * 100) / 100;
      return { type: "setEffort", research, product: Math.round((1 - research) * 100) / 100 };
    }
    if (actions.length > 0) return this.rng.pick(actions);
    const fallback = botActions("noise", view, this.rng);
    return fallback.length > 0 ? this.rng.pick(fallback) : null;
  }

  /** Wait until nothing is in flight (or the time is up). */
  async settle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < until && this.connected) await new Promise((r) => setTimeout(r, 20));
  }

  async leave(): Promise<void> {
    this.stop();
    this.expectingClose = true;
    const room = this.room;
    if (room && room.connection.isOpen) await Promise.race([room.leave(true).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
}

/** A session's host: starts the game and advances each round after `advanceMs`, counting reports. */
export class Host {
  room: Room<ArenaState> | null = null;
  reports = 0;
  private timer: NodeJS.Timeout | null = null;
  private advancing = false;
  private refs = 0;
  private lastRound = -1;
  private waiters = new Map<string, (r: ResultMessage) => void>();
  active = false;
  expectingClose = false;
  refused: Record<string, number> = {};

  constructor(readonly code: string, readonly hostToken: string, readonly tally: Tally, private readonly advanceMs: number) {}

  async join(url: string): Promise<void> {
    const room = await new Client(url).joinById<ArenaState>(this.code, { role: "host", hostToken: this.hostToken });
    this.room = room;
    this.lastRound = -1;
    room.onMessage("result", (r: ResultMessage) => {
      const w = typeof r.ref === "string" ? this.waiters.get(r.ref) : undefined;
      if (w) { this.waiters.delete(r.ref as string); w(r); }
    });
    room.onMessage("report", () => { this.reports++; });
    room.onMessage("*", () => undefined);
    room.onStateChange((s) => {
      if (this.active && s.phase === "acting" && !s.paused && s.round !== this.lastRound) this.roundOpened(s.round);
    });
    room.onLeave((code) => {
      if (this.room !== room) return;
      this.stop();
      // Whatever was asked on this connection will never be answered.
      for (const [ref, w] of [...this.waiters]) { this.waiters.delete(ref); w({ type: "", ok: false, code: "connection/closed", message: `closed with ${code}` }); }
      if (!this.expectingClose && code !== 4000) this.tally.closes[`host ${code}`] = (this.tally.closes[`host ${code}`] ?? 0) + 1;
    });
  }

  ask(type: string, payload: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<ResultMessage> {
    const ref = `h${++this.refs}`;
    const room = this.room!;
    return new Promise((done, fail) => {
      const t = setTimeout(() => { this.waiters.delete(ref); fail(new Error(`host ${this.code}: no result for ${type}`)); }, timeoutMs);
      this.waiters.set(ref, (r) => { clearTimeout(t); done(r); });
      room.send(type, { ...payload, ref });
    });
  }

  state(): ArenaState | undefined { return this.room?.state; }

  /** Advance rounds from now on (after `host:start` if the game is in the lobby). */
  async run(): Promise<void> {
    const s = this.room!.state;
    if (s.phase === "lobby") {
      const r = await this.ask("host:start");
      if (!r.ok) throw new Error(`host:start refused: ${r.code} ${r.message ?? ""}`);
    }
    this.active = true;
    const now = this.room!.state;
    if (now.phase === "acting" && !now.paused) this.roundOpened(now.round);
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
    try {
      const r = await this.ask("host:advance");
      if (!r.ok) this.refused[r.code ?? "unknown"] = (this.refused[r.code ?? "unknown"] ?? 0) + 1;
    } catch (e) {
      if (this.active) this.tally.error((e as Error).message);
    } finally {
      this.advancing = false;
    }
  }

  stop() {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stop advancing, and wait for an advance already sent to be answered. */
  async stopAndSettle(timeoutMs = 30_000): Promise<void> {
    this.stop();
    const until = Date.now() + timeoutMs;
    while (this.advancing && Date.now() < until) await sleep(20);
  }

  async leave(): Promise<void> {
    this.stop();
    this.expectingClose = true;
    const room = this.room;
    if (room && room.connection.isOpen) await Promise.race([room.leave(true).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
}

/** Run `fn` over `items`, at most `limit` at a time. */
export async function inBatches<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export async function createSession(http: string, body: Record<string, unknown>): Promise<{ code: string; hostToken: string }> {
  const res = await fetch(`${http}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as { code?: string; hostToken?: string; error?: string };
  if (res.status !== 201 || !json.code || !json.hostToken) throw new Error(`POST /api/sessions answered ${res.status}: ${json.error ?? ""}`);
  return { code: json.code, hostToken: json.hostToken };
}

export interface LoggedAction { kind: string; playerId?: string; action?: unknown }

export async function exportLog(http: string, code: string, hostToken: string): Promise<LoggedAction[]> {
  const res = await fetch(`${http}/api/sessions/${code}/export.json`, { headers: { authorization: `Bearer ${hostToken}` } });
  if (!res.ok) throw new Error(`export of ${code} answered ${res.status}`);
  return ((await res.json()) as { log: LoggedAction[] }).log;
}

export interface LogCheck {
  /** Acknowledged intents. */
  acked: number;
  /** Acknowledged but not in the log (target: 0). */
  lost: number;
  /** In the log but refused, or never sent (target: 0). */
  invented: number;
  /** In flight when a connection ended, and found in the log / not found. */
  unknownLogged: number;
  unknownMissing: number;
  /** Refused intents checked to be absent. */
  refused: number;
  samples: string[];
}

/**
 * Compare the players' books with the session's log: every acknowledged intent must be there, in
 * the order it was acknowledged (each player's intents are answered in order); whatever else the log
 * holds for these players must be intents whose answer never came. Refused intents must not be
 * there (an intent refused once and acknowledged later, like a retry, counts once per ok).
 */
export function checkLog(players: readonly Player[], log: readonly LoggedAction[]): LogCheck {
  const out: LogCheck = { acked: 0, lost: 0, invented: 0, unknownLogged: 0, unknownMissing: 0, refused: 0, samples: [] };
  const byPlayer = new Map<string, string[]>();
  for (const e of log) {
    if (e.kind !== "action" || !e.playerId || !e.action || (e.action as { type?: unknown }).type === "join") continue;
    let list = byPlayer.get(e.playerId);
    if (!list) byPlayer.set(e.playerId, (list = []));
    list.push(canonical(e.action));
  }
  for (const p of players) {
    const logged = byPlayer.get(p.playerId) ?? [];
    out.acked += p.acked.length;
    const unknown = new Map<string, number>();
    for (const a of p.unknown) unknown.set(a, (unknown.get(a) ?? 0) + 1);
    // Walk the log: each entry is the next acknowledged intent, or one whose answer never came.
    let i = 0;
    for (const entry of logged) {
      if (i < p.acked.length && p.acked[i].action === entry) { i++; continue; }
      const n = unknown.get(entry) ?? 0;
      if (n > 0) { unknown.set(entry, n - 1); out.unknownLogged++; continue; }
      out.invented++;
      if (out.samples.length < 5) out.samples.push(`invented ${p.playerId}: ${entry}`);
    }
    if (i < p.acked.length) {
      out.lost += p.acked.length - i;
      if (out.samples.length < 5) out.samples.push(`lost ${p.playerId}: ${p.acked[i].action}`);
    }
    for (const [, n] of unknown) out.unknownMissing += n;
    out.refused += p.refusedActions.length;
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try { ok = await check(); } catch { ok = false; }
    if (ok) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
