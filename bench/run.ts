/**
 * Engine benchmarks: `npm run bench`. Prints figures recorded in docs/benchmarks.md.
 * Times are wall-clock medians on this machine; run on an otherwise idle machine. The header gives
 * the load average at the start (other processes' CPU use shows up directly in the figures).
 */
import { availableParallelism, loadavg } from "node:os";
import { createGame, HOST_ID, applyAction, resolveRound, type GameState } from "../shared/index.js";
import { bigGame, botsAct } from "./setup.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Resolve `state` `runs` times: the median time, and the fastest and slowest. */
function timeResolve(state: GameState, runs: number): { median: number; min: number; max: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    resolveRound(state);
    times.push(performance.now() - t);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const only = process.argv[2];
const out: string[] = [];
function line(s: string) {
  out.push(s);
  console.log(s);
}

const load = loadavg().map((x) => x.toFixed(2)).join(" / ");
line(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, load average (1 / 5 / 15 min) ${load}`);

if (!only || only === "round") {
  line("\n# resolve one round (median of 15 after 5 warm-up runs, after every bot acted once)");
  line("| subnets | players | validators (people + NPC) | ms per round | fastest–slowest |");
  line("|---:|---:|---:|---:|---:|");
  for (const subnets of [64, 128]) {
    for (const players of [32, 256, 1000]) {
      const game = bigGame(subnets, players);
      botsAct(game);
      timeResolve(game.state, 5); // warm-up: let the JIT settle, so the median is of steady-state runs
      const t = timeResolve(game.state, 15);
      line(`| ${subnets} | ${players} | ${game.state.validators.length} | ${t.median.toFixed(1)} | ${t.min.toFixed(1)}–${t.max.toFixed(1)} |`);
    }
  }
}

if (!only || only === "game") {
  line("\n# a whole 30-round game: 128 subnets, 500 bot players acting every round");
  const game = bigGame(128, 500, { rounds: 30 });
  const t = performance.now();
  let resolveMs = 0;
  let accepted = 0;
  let rejected = 0;
  while (game.state.phase === "acting") {
    const a = botsAct(game);
    accepted += a.accepted;
    rejected += a.rejected;
    const r0 = performance.now();
    game.state = resolveRound(game.state).state;
    resolveMs += performance.now() - r0;
  }
  const total = performance.now() - t;
  line(`total ${(total / 1000).toFixed(2)} s (resolutions ${(resolveMs / 1000).toFixed(2)} s, bot actions ${((total - resolveMs) / 1000).toFixed(2)} s); ${accepted} actions accepted, ${rejected} refused`);
}

if (!only || only === "pool") {
  line("\n# one pool, 30 days: 216,000 blocks = 600 tempos of 360, price-EMA emission, pool seeded 1 τ / 1 α");
  let s = createGame({
    ruleset: "dtao-price", initialSubnets: 1, poolTaoLow: "1", poolTaoHigh: "1", priceLow: 1, priceHigh: 1,
    rounds: 600, npcNoiseTraders: 0, npcMomentumTraders: 0, npcFundamentalTraders: 0, npcWhales: 0, eventRate: 0,
    minerSellFraction: 0, rootValidators: 1,
  }, 1);
  const started = applyAction(s, HOST_ID, { type: "start" });
  if (!started.ok) throw new Error(started.error.message);
  s = started.state;
  const t = performance.now();
  while (s.phase === "acting") s = resolveRound(s).state;
  const ms = performance.now() - t;
  const sn = s.subnets["1"];
  line(`600 tempos in ${ms.toFixed(0)} ms; final price ${Number(sn.price).toFixed(6)} τ/α, pool ${Number(sn.taoReserve).toFixed(3)} τ / ${Number(sn.alphaReserve).toFixed(3)} α, block ${s.block}`);
}
