/**
 * Bot players over the public protocol, for load tests and lively classrooms:
 *
 *   npm run bots -- --url ws://127.0.0.1:2567 --code CODE --count N --strategy S [--seconds T] [--seed N] [--name PREFIX]
 *
 * Each bot is a real websocket client (colyseus.js `joinById(code, { name, role })`). It sees only
 * what any player sees: the synced state and its own `signals` message. Once per acting round it
 * rebuilds a PlayerView from those (viewFromSync), asks `botActions(strategy, view, rng)` what to
 * do, and sends the actions with refs. It counts the `result`s (ok / refused by code) and, after
 * --seconds (default: when the game ends), leaves and prints a one-line JSON summary on stdout.
 *
 * Exit codes: 0 done; 1 no bot could join; 2 bad arguments (unknown strategy lists the strategies).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Client, type Room } from "colyseus.js";
import {
  BOT_STRATEGIES, botActions, botRole, type BotStrategy, isBotStrategy, type ResultMessage, Rng, type ValidatorSignals,
  type HistoryMessage, type PriceTape,
} from "../shared/index.js";
import type { ArenaState } from "../server/room/schema.js";
import { botRng, type BotMemory, observeSyncTape, resolvedRounds, viewFromSync } from "./lib/botView.js";

export const USAGE = "usage: npm run bots -- --url ws://HOST:PORT --code CODE --count N --strategy STRATEGY [--seconds T] [--seed N] [--name PREFIX]";

export interface BotsOptions {
  url: string;
  code: string;
  count: number;
  strategy: BotStrategy;
  /** Stop after this many seconds; null: when the game ends. */
  seconds: number | null;
  seed: number;
  name: string;
}

export type ParsedArgs = { ok: true; options: BotsOptions } | { ok: false; help: boolean; error: string };

/** Parse and validate the command line (without the node and script arguments). */
export function parseBotsArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" }, code: { type: "string" }, count: { type: "string" }, strategy: { type: "string" },
        seconds: { type: "string" }, seed: { type: "string" }, name: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    return { ok: false, help: false, error: (e as Error).message };
  }
  if (values.help) return { ok: false, help: true, error: "" };
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string).trim() : undefined);

  const url = str("url");
  if (!url) return fail("--url is required (e.g. ws://127.0.0.1:2567)");
  let parsedUrl: URL;
  try { parsedUrl = new URL(url); } catch { return fail(`--url "${url}" is not a URL`); }
  if (!["ws:", "wss:", "http:", "https:"].includes(parsedUrl.protocol)) return fail(`--url must be ws://, wss://, http:// or https://, not ${parsedUrl.protocol}//`);

  const code = str("code")?.toUpperCase();
  if (!code) return fail("--code is required (the session code, e.g. K7QF3M)");
  if (!/^[A-Z0-9]{4,12}$/.test(code)) return fail(`--code "${code}" is not a session code (4 to 12 letters and digits)`);

  const countRaw = str("count");
  if (countRaw === undefined) return fail("--count is required (how many bots, 1 to 500)");
  const count = Number(countRaw);
  if (!/^\d+$/.test(countRaw) || count < 1 || count > 500) return fail(`--count must be a whole number from 1 to 500, not "${countRaw}"`);

  const strategy = str("strategy");
  if (!strategy) return fail(`--strategy is required; one of: ${BOT_STRATEGIES.join(", ")}`);
  if (!isBotStrategy(strategy)) return fail(`unknown strategy "${strategy}"; one of: ${BOT_STRATEGIES.join(", ")}`);

  let seconds: number | null = null;
  const secondsRaw = str("seconds");
  if (secondsRaw !== undefined) {
    seconds = Number(secondsRaw);
    if (secondsRaw === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 7 * 24 * 3600) return fail(`--seconds must be a positive number of seconds, not "${secondsRaw}"`);
  }

  let seed = (Date.now() ^ (process.pid << 16)) | 0;
  const seedRaw = str("seed");
  if (seedRaw !== undefined) {
    seed = Number(seedRaw);
    if (!/^-?\d+$/.test(seedRaw) || !Number.isSafeInteger(seed)) return fail(`--seed must be an integer, not "${seedRaw}"`);
  }

  // Names are cut at 24 characters by the server: leave room for " 500".
  const name = str("name") ?? `Bot ${strategy}`;
  if (name.length === 0 || name.length > 20) return fail("--name must be 1 to 20 characters (a number is appended)");

  return { ok: true, options: { url, code, count, strategy, seconds, seed, name } };

  function fail(error: string): ParsedArgs {
    return { ok: false, help: false, error };
  }
}

export { botRng, type BotMemory, resolvedRounds, viewFromSync } from "./lib/botView.js";

// ------------------------------------------------------------------------------- the bots

export interface Summary {
  bots: number;
  joined: number;
  strategy: BotStrategy;
  intents: number;
  ok: number;
  refused: Record<string, number>;
  unanswered: number;
  disconnects: number;
  joinFailures: number;
  roundsActed: number;
  seconds: number;
}

interface Tally {
  intents: number;
  ok: number;
  refused: Record<string, number>;
  disconnects: number;
  rounds: Set<number>;
}

/** Validators wait this long for their round's signals before acting without them. */
const SIGNALS_WAIT_MS = 1500;

class Bot {
  playerId = "";
  done = false;
  private signals: ValidatorSignals | null = null;
  /** Closing prices per pool (the `history` message, then each close seen: scripts/lib/botView.ts). */
  private tape: PriceTape | null = null;
  private memory: BotMemory | null = null;
  private lastRound = -1;
  private waitingSince = 0;
  private retry: NodeJS.Timeout | null = null;
  private leaving = false;
  private refs = 0;
  readonly pending = new Set<string>();

  constructor(readonly index: number, readonly room: Room<ArenaState>, readonly strategy: BotStrategy, private readonly rng: Rng,
    private readonly tally: Tally, private readonly onDone: () => void) {
    room.onMessage("seat", (m: { playerId: string }) => { this.playerId = m.playerId; this.tick(); });
    room.onMessage("history", (m: HistoryMessage) => { this.tape = observeSyncTape(null, room.state, m); });
    room.onMessage("signals", (m: ValidatorSignals) => { this.signals = m; this.tick(); });
    room.onMessage("result", (r: ResultMessage) => this.onResult(r));
    room.onMessage("*", () => undefined); // report, income, debrief, replaced: not needed to decide
    room.onStateChange((s) => { this.tape = observeSyncTape(this.tape, s); this.tick(); });
    room.onLeave(() => {
      if (!this.leaving) tally.disconnects++;
      this.finish();
    });
  }

  private onResult(r: ResultMessage) {
    if (typeof r.ref !== "string" || !this.pending.delete(r.ref)) return;
    if (r.ok) this.tally.ok++;
    else {
      const code = r.code ?? "unknown";
      this.tally.refused[code] = (this.tally.refused[code] ?? 0) + 1;
    }
  }

  /** On every state change: act once per acting round. */
  tick() {
    const s = this.room.state;
    if (this.done || !this.playerId || !s || typeof s.phase !== "string") return;
    if (s.phase === "ended") { this.finish(); return; }
    const me = s.players?.get(this.playerId);
    if (!me) return;
    if (!this.memory) this.memory = { granted: me.tao, joinedRound: resolvedRounds(s) };
    if (s.phase !== "acting" || s.paused || s.round === this.lastRound) return;
    if (me.role === "validator" && this.signals?.round !== s.round) {
      if (this.waitingSince === 0) this.waitingSince = Date.now();
      const waited = Date.now() - this.waitingSince;
      if (waited < SIGNALS_WAIT_MS) {
        this.retry ??= setTimeout(() => { this.retry = null; this.tick(); }, SIGNALS_WAIT_MS - waited + 5);
        return;
      }
    }
    this.lastRound = s.round;
    this.waitingSince = 0;
    this.tally.rounds.add(s.round);
    const view = viewFromSync(s, this.playerId, this.signals, this.memory, this.tape);
    for (const action of botActions(this.strategy, view, this.rng)) {
      const { type, ...fields } = action;
      const ref = `b${this.index}-${++this.refs}`;
      this.pending.add(ref);
      this.tally.intents++;
      this.room.send(type, { ...fields, ref });
    }
  }

  private finish() {
    if (this.done) return;
    this.done = true;
    if (this.retry) clearTimeout(this.retry);
    this.onDone();
  }

  /** Wait a little for outstanding results, then leave (consented). */
  async leave(graceMs: number): Promise<void> {
    const until = Date.now() + graceMs;
    while (this.pending.size > 0 && Date.now() < until && this.room.connection.isOpen) await new Promise((r) => setTimeout(r, 20));
    this.done = true;
    if (this.retry) clearTimeout(this.retry);
    if (!this.room.connection.isOpen) return;
    this.leaving = true;
    await Promise.race([this.room.leave(true), new Promise((r) => setTimeout(r, 1000))]);
  }
}

/** Run the bots until --seconds pass, the game ends, every bot is gone, or `stop` resolves. */
export async function runBots(options: BotsOptions, stop: Promise<void> = new Promise(() => undefined), warn: (msg: string) => void = () => undefined): Promise<Summary> {
  const started = Date.now();
  const tally: Tally = { intents: 0, ok: 0, refused: {}, disconnects: 0, rounds: new Set() };
  const client = new Client(options.url);
  const bots: Bot[] = [];
  let joinFailures = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((r) => { finished = r; });
  const checkDone = () => { if (bots.length > 0 && bots.every((b) => b.done)) finished(); };

  const role = botRole(options.strategy);
  const BATCH = 10;
  for (let i = 0; i < options.count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, options.count - i) }, (_, k) => i + k);
    await Promise.all(batch.map(async (index) => {
      try {
        const room = await client.joinById<ArenaState>(options.code, { name: `${options.name} ${index + 1}`, role });
        const bot = new Bot(index, room, options.strategy, botRng(options.seed, index), tally, checkDone);
        bots.push(bot);
        bot.tick();
      } catch (e) {
        joinFailures++;
        if (joinFailures <= 3) warn(`bot ${index + 1} could not join: ${(e as Error).message}`);
      }
    }));
  }

  if (bots.length > 0) {
    const timers: NodeJS.Timeout[] = [];
    const waits: Promise<unknown>[] = [allDone, stop];
    if (options.seconds !== null) waits.push(new Promise((r) => timers.push(setTimeout(r, options.seconds! * 1000))));
    checkDone();
    await Promise.race(waits);
    for (const t of timers) clearTimeout(t);
    await Promise.all(bots.map((b) => b.leave(1500)));
  }

  return {
    bots: options.count,
    joined: bots.length,
    strategy: options.strategy,
    intents: tally.intents,
    ok: tally.ok,
    refused: tally.refused,
    unanswered: bots.reduce((t, b) => t + b.pending.size, 0),
    disconnects: tally.disconnects,
    joinFailures,
    roundsActed: tally.rounds.size,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

async function main(): Promise<number> {
  const parsed = parseBotsArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(`${USAGE}\nstrategies: ${BOT_STRATEGIES.join(", ")}`);
      return 0;
    }
    console.error(`bots: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  let stopNow!: () => void;
  const stop = new Promise<void>((r) => { stopNow = r; });
  process.once("SIGINT", () => stopNow());
  process.once("SIGTERM", () => stopNow());
  const summary = await runBots(parsed.options, stop, (msg) => console.error(`bots: ${msg}`));
  console.log(JSON.stringify(summary));
  if (summary.joined === 0) {
    console.error("bots: no bot could join");
    return 1;
  }
  return 0;
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`bots: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
