/**
 * scripts/bots.ts end to end: websocket bot players driven from the command line against an
 * in-process server, its argument checks, and the view it rebuilds from the synced state checked
 * against the engine's own playerView.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_STRATEGIES, type HistoryMessage, playerView, type PlayerView } from "../shared/index.js";
import type { ArenaState } from "../server/room/schema.js";
import { botRng, parseBotsArgs, type Summary, viewFromSync } from "../scripts/bots.js";
import { observeSyncTape } from "../scripts/lib/botView.js";
import { createSession, sleep, startServer, type TestServer, until } from "./support/server.js";
import { Actor, firstFreePort, liveRoom } from "./support/abuse.js";

/** 4642 first; the rest of 4651–4660 if another run holds it (test/server.abuse.test.ts uses 4641, 4643–4650). */
const PORTS = [4642, 4651, 4652, 4653, 4654, 4655, 4656, 4657, 4658, 4659, 4660];
/** Child processes start slowly on a busy machine (npx + tsx transpiling). */
const CHILD_TIMEOUT_MS = 45_000;
let server: TestServer;

// Short resolve pauses so the host can play several rounds while the bots run.
beforeAll(async () => { server = await startServer(await firstFreePort(PORTS), { resolveSeconds: 0.2 }); });
afterAll(async () => { await server?.close(); });

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

function cli(command: "tsx" | "npm", args: string[], timeoutMs = CHILD_TIMEOUT_MS): { done: Promise<Run>; exited: () => boolean } {
  const started = Date.now();
  const argv = command === "tsx" ? ["tsx", "scripts/bots.ts", ...args] : ["run", "--silent", "bots", "--", ...args];
  // Its own process group, so a timeout can stop npx and the node process under it together.
  const child = spawn(command === "tsx" ? "npx" : "npm", argv, { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: "silent" }, detached: true });
  let stdout = "";
  let stderr = "";
  let exited = false;
  child.stdout.on("data", (d) => { stdout += d; });
  child.stderr.on("data", (d) => { stderr += d; });
  const done = new Promise<Run>((resolve, reject) => {
    const t = setTimeout(() => {
      try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
      reject(new Error(`bots did not exit in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => { exited = true; clearTimeout(t); resolve({ code, stdout, stderr, ms: Date.now() - started }); });
  });
  return { done, exited: () => exited };
}

function summaryOf(run: Run): Summary {
  const lines = run.stdout.trim().split("\n");
  expect(lines.length, run.stdout).toBe(1);
  return JSON.parse(lines[0]) as Summary;
}

async function startedSession(body: Record<string, unknown>) {
  const { status, body: s } = await createSession(server.http, body);
  expect(status).toBe(201);
  const host = await Actor.join(server.url, s.code, { role: "host", hostToken: s.hostToken, name: "Prof" }, "host");
  expect((await host.rec.ask("host:start")).ok).toBe(true);
  return { code: s.code, host };
}

const state = (a: Actor) => a.room.state as ArenaState;
const botsIn = (a: Actor, prefix: string) => [...state(a).players.values()].filter((p) => p.name.startsWith(prefix));

/** Advance the round now and then while `running()`: once `ready()`, or after 2 s in any case. */
async function playRounds(host: Actor, running: () => boolean, ready: () => boolean, everyMs: number) {
  let last = Date.now();
  while (running()) {
    await sleep(everyMs);
    if (!running() || state(host).phase !== "acting" || (!ready() && Date.now() - last < 2000)) continue;
    await host.rec.ask("host:advance").catch(() => undefined);
    last = Date.now();
  }
}

describe("npm run bots", () => {
  it("3 noise bots trade for 4 seconds over websockets and print a summary", async () => {
    const { code, host } = await startedSession({ rounds: 30, roundSeconds: 60 });
    // A seed whose three bots all stake in their first round (noise stakes when its first draw is < 0.6),
    // so every bot's balance moves however many rounds fit in the 4 seconds.
    let seed = 1;
    while (![0, 1, 2].every((i) => botRng(seed, i).next() < 0.6)) seed++;
    const run = cli("tsx", ["--url", server.url, "--code", code.toLowerCase(), "--count", "3", "--strategy", "noise", "--seconds", "4", "--seed", String(seed)]);
    await playRounds(host, () => !run.exited(), () => botsIn(host, "Bot noise").length === 3, 700);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ bots: 3, joined: 3, strategy: "noise", joinFailures: 0, disconnects: 0, unanswered: 0 });
    expect(summary.intents).toBeGreaterThan(0);
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.ok + Object.values(summary.refused).reduce((a, b) => a + b, 0)).toBe(summary.intents);
    expect(summary.roundsActed).toBeGreaterThanOrEqual(1);
    expect(summary.seconds).toBeGreaterThanOrEqual(4);

    // The host's synced state shows the three bots, and that they traded.
    const engine = liveRoom(code).engineState;
    await until(() => botsIn(host, "Bot noise").every((p) => p.tao === engine.players[p.id]?.tao && !p.connected), 3000, "bots synced and gone");
    const bots = botsIn(host, "Bot noise");
    expect(bots.map((p) => p.name).sort()).toEqual(["Bot noise 1", "Bot noise 2", "Bot noise 3"]);
    for (const p of bots) {
      expect(p.role).toBe("staker");
      expect(p.bot, "a websocket bot is a person to the server").toBe(false);
      expect(p.tao, `${p.name} traded`).not.toBe(engine.players[p.id].granted);
      expect(p.alpha.size, `${p.name} holds alpha`).toBeGreaterThan(0);
    }
    console.info(`bots cli: ${JSON.stringify(summary)} (${result.ms} ms with tsx start-up)`);
  }, CHILD_TIMEOUT_MS + 10_000);

  it("without --seconds the bots play until the game ends, then leave on their own", async () => {
    const { code, host } = await startedSession({ rounds: 2, roundSeconds: 60 });
    const run = cli("tsx", ["--url", server.url, "--code", code, "--count", "2", "--strategy", "rootSaver", "--seed", "3", "--name", "Saver"]);
    await playRounds(host, () => !run.exited(), () => botsIn(host, "Saver").length === 2 && botsIn(host, "Saver").every((p) => p.acted), 300);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(state(host).phase).toBe("ended");
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ joined: 2, strategy: "rootSaver", disconnects: 0, unanswered: 0 });
    expect(summary.ok).toBeGreaterThan(0);
    for (const p of botsIn(host, "Saver")) expect(Number(p.rootStake)).toBeGreaterThan(0);
  }, CHILD_TIMEOUT_MS + 10_000);

  it("refuses bad arguments with exit code 2 and a clear message", async () => {
    const runs = await Promise.all([
      cli("npm", ["--url", server.url, "--code", "ABCDEF", "--count", "2", "--strategy", "yolo"]).done,
      cli("tsx", ["--url", server.url, "--count", "2", "--strategy", "noise", "--colour", "red"]).done,
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("usage: npm run bots");
    }
    expect(runs[0].stderr).toContain('unknown strategy "yolo"');
    for (const s of BOT_STRATEGIES) expect(runs[0].stderr).toContain(s);
    expect(runs[1].stderr).toMatch(/Unknown option '--colour'/);
  }, CHILD_TIMEOUT_MS + 5000);

  it("validates every option (in-process)", () => {
    const base = ["--url", "ws://127.0.0.1:2567", "--code", "abcdef", "--count", "3", "--strategy", "noise"];
    const good = parseBotsArgs([...base, "--seconds", "2.5", "--seed=-7"]);
    expect(good).toMatchObject({ ok: true, options: { code: "ABCDEF", count: 3, strategy: "noise", seconds: 2.5, seed: -7, name: "Bot noise" } });
    const bad: [string[], RegExp][] = [
      [base.filter((_, i) => i > 1), /--url is required/],
      [["--url", "ftp://x", ...base.slice(2)], /--url must be ws/],
      [[...base.slice(0, 2), "--code", "A!", ...base.slice(4)], /not a session code/],
      [[...base.slice(0, 4), "--count", "2.5", ...base.slice(6)], /whole number/],
      [[...base.slice(0, 4), "--count", "501", ...base.slice(6)], /whole number/],
      [base.slice(0, 6), /--strategy is required; one of: rootSaver/],
      [[...base, "--seconds", "0"], /--seconds must be a positive/],
      [[...base, "--seconds", "soon"], /--seconds must be a positive/],
      [[...base, "--seed", "1.5"], /--seed must be an integer/],
      [[...base, "--name", "x".repeat(21)], /--name must be 1 to 20/],
      [[...base, "extra"], /positional/i],
      [[...base, "--colour", "red"], /Unknown option '--colour'/],
      [["--url", "ws://127.0.0.1:2567", "--count", "2", "--strategy", "noise"], /--code is required/],
      [[...base.slice(0, 4), "--count", "0", ...base.slice(6)], /--count must be a whole number from 1 to 500/],
    ];
    for (const [argv, message] of bad) {
      const r = parseBotsArgs(argv);
      expect(r.ok, argv.join(" ")).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    }
    expect(parseBotsArgs(["-h"])).toMatchObject({ ok: false, help: true });
  });
});

describe("the view a websocket bot rebuilds", () => {
  it("matches the engine's playerView on everything the synced state carries", async () => {
    const { code, host } = await startedSession({ rounds: 10, roundSeconds: 600 });
    const staker = await Actor.join(server.url, code, { name: "Sam", role: "staker" }, "staker");
    const validator = await Actor.join(server.url, code, { name: "Val", role: "validator" }, "validator");
    const builder = await Actor.join(server.url, code, { name: "Bea", role: "builder" }, "builder");
    expect((await staker.rec.ask("stake", { subnet: 2, tao: "40" })).ok).toBe(true);
    expect((await staker.rec.ask("stakeRoot", { tao: "25" })).ok).toBe(true);
    expect((await builder.rec.ask("setEffort", { research: 0.8, product: 0.2 })).ok).toBe(true);
    expect((await validator.rec.ask("setWeights", { subnet: 1, weights: { "0": 1, "2": 3 } })).ok).toBe(true);
    // One resolution (consensus, emission shares, price history), then a registration in round 2.
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    await until(() => state(host).phase === "acting" && state(host).round === 2, 5000, "round 2");
    await validator.rec.waitFor("signals", 3000, 1);
    expect((await builder.rec.ask("registerSubnet", { name: "Deep Forge" })).ok).toBe(true);

    const engine = () => liveRoom(code).engineState;
    for (const actor of [staker, validator, builder]) {
      const truth = playerView(engine(), actor.playerId);
      await until(() => state(actor).players.get(actor.playerId)?.tao === truth.me!.tao && state(actor).subnets.size === truth.subnets.length, 3000, `${actor.label} synced`);
      const signals = actor === validator ? validator.rec.last<PlayerView["signals"]>("signals") ?? null : null;
      // The price tape as a bot keeps it: the history sent on joining, then each close it saw.
      let tape = observeSyncTape(null, state(actor), actor.rec.last<HistoryMessage>("history"));
      tape = observeSyncTape(tape, state(actor));
      const mine = viewFromSync(state(actor), actor.playerId, signals, { granted: truth.me!.granted, joinedRound: truth.me!.joinedRound }, tape);
      expect(mine.round).toBe(truth.round);
      expect(mine.totalRounds).toBe(truth.totalRounds);
      expect(mine.phase).toBe(truth.phase);
      expect(mine.ruleset).toBe(truth.ruleset);
      expect(mine.lockCost).toBe(truth.lockCost);
      expect(mine.registrationOpen).toBe(false);
      expect(truth.registrationOpen).toBe(false);
      expect(mine.config).toEqual(truth.config);
      // Signals travel as float32 (server/room/compactSend.ts): the engine's values rounded so.
      const f32 = (x: PlayerView["signals"]) => x && { round: x.round, subnets: Object.fromEntries(Object.entries(x.subnets).map(([k, v]) => [k, Math.fround(v)])), miners: Object.fromEntries(Object.entries(x.miners).map(([k, v]) => [k, v.map(Math.fround)])) };
      expect(f32(mine.signals)).toEqual(f32(truth.signals));
      if (actor === validator) expect(mine.signals).not.toBeNull();
      // Exact: identity and reserves (float64 rao on the wire) and the spot price; float32 on the
      // wire: the EMA of the rule in force, the emission share, product and price history.
      const exact = (s: PlayerView["subnets"][number]) => ({ netuid: s.netuid, name: s.name, owner: s.owner, registeredRound: s.registeredRound, taoReserve: s.taoReserve, alphaReserve: s.alphaReserve, price: s.price, minerCount: s.minerCount, immune: s.immune });
      // Product traction travels at the 3 significant digits it is shown with.
      const approx = (s: PlayerView["subnets"][number]) => [Math.fround(Number(s.priceEma)), Math.fround(Number(s.product.toPrecision(3)))];
      expect(mine.subnets.map(exact)).toEqual(truth.subnets.map(exact));
      // Shares: derived from the float32 EMAs by the engine's own share rule, so equal to ~1e-7.
      mine.subnets.forEach((s, i) => expect(Number(s.emissionShare)).toBeCloseTo(Number(truth.subnets[i].emissionShare), 6));
      // The closes this client saw are the engine's own (the tape appends the spot price right after each resolution).
      expect(mine.subnets.map((s) => s.priceHistory)).toEqual(truth.subnets.map((s) => s.priceHistory));
      expect(truth.subnets.some((s) => s.priceHistory.length > 0)).toBe(true);
      expect(mine.subnets.map(approx)).toEqual(truth.subnets.map(approx));
      for (const [netuid, row] of Object.entries(mine.consensusWeights)) {
        for (const [uid, w] of Object.entries(row)) expect(w).toBeCloseTo(truth.consensusWeights[netuid]?.[uid] ?? 0, 5);
      }
      const me = mine.me!;
      const real = truth.me!;
      expect({ id: me.id, name: me.name, role: me.role, tao: me.tao, rootStake: me.rootStake, alpha: me.alpha, take: me.take, effort: me.effort })
        .toEqual({ id: real.id, name: real.name, role: real.role, tao: real.tao, rootStake: real.rootStake, alpha: real.alpha, take: real.take, effort: real.effort });
      // People who validate are listed (NPC validators are not synced).
      expect(mine.validators.map((v) => v.id)).toEqual(truth.validators.filter((v) => !v.npc).map((v) => v.id));
    }
    // Before anyone registers in a round, registration is open in both.
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    await until(() => state(builder).phase === "acting" && state(builder).round === 3, 5000, "round 3");
    const truth = playerView(engine(), builder.playerId);
    expect(viewFromSync(state(builder), builder.playerId, null, { granted: "0", joinedRound: 0 }).registrationOpen).toBe(truth.registrationOpen);
    expect(truth.registrationOpen).toBe(true);
  });
});
