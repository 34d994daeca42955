/**
 * Micro-benchmark for runYuma and rootEmissionShares: `npx tsx bench/yuma.bench.ts`
 * (or `… bench/yuma.bench.ts CASE` for one case; names as printed).
 *
 * Prints µs per call (median and best of 15 timed batches) on deterministic random inputs
 * shaped like the game's: validator ids "npc:v1", "npc:v2", … inserted in that (unsorted)
 * order, mostly dense weight rows, some sparse rows, a few validators with no weights or no
 * stake. Each case runs in its own process, so one case's JIT state and garbage do not skew
 * the next. On a shared machine the median moves a lot between runs; "best" is steadier.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runYuma, type YumaInput } from "../shared/yuma.js";
import { rootEmissionShares } from "../shared/rootConsensus.js";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ids as the game makes them ("npc:v1", "npc:v2", …): inserted in an order that is not sorted. */
function vid(i: number): string {
  return `npc:v${i + 1}`;
}

function makeWeights(rand: () => number, keys: string[]): Record<string, number> {
  const w: Record<string, number> = {};
  const sparse = rand() < 0.2;
  for (const k of keys) {
    if (sparse && rand() < 0.6) continue;
    w[k] = Math.round(rand() * 1000) / 1000;
  }
  return w;
}

function yumaInput(seed: number, nv: number, nm: number, bondAlpha?: number): YumaInput {
  const rand = mulberry32(seed);
  const miners = Array.from({ length: nm }, (_, j) => String(j));
  const stake: Record<string, number> = {};
  const weights: Record<string, Record<string, number>> = {};
  const bonds: Record<string, Record<string, number>> = {};
  for (let i = 0; i < nv; i++) {
    const v = vid(i);
    stake[v] = rand() < 0.05 ? 0 : 1 + rand() * 10_000;
    if (rand() < 0.95) weights[v] = makeWeights(rand, miners);
    if (bondAlpha !== undefined && rand() < 0.8) bonds[v] = makeWeights(rand, miners);
  }
  return bondAlpha === undefined ? { stake, weights, miners } : { stake, weights, miners, bondAlpha, bonds };
}

function rootInput(seed: number, nv: number, ns: number) {
  const rand = mulberry32(seed);
  const subnets = Array.from({ length: ns }, (_, j) => String(j + 1));
  const cols = ["0", ...subnets];
  const stake: Record<string, number> = {};
  const weights: Record<string, Record<string, number>> = {};
  for (let i = 0; i < nv; i++) {
    const v = vid(i);
    stake[v] = 1 + rand() * 10_000;
    if (rand() < 0.9) weights[v] = makeWeights(rand, cols);
  }
  return { stake, weights, subnets };
}

/** [median, best] µs per call over `batches` batches, each sized to take roughly `batchMs`. */
function measure(fn: (i: number) => unknown, batches = 15, batchMs = 40): [number, number] {
  let sink = 0;
  // Warm up (let the JIT settle), then size the batch.
  const warmUntil = performance.now() + 300;
  for (let i = 0; performance.now() < warmUntil; i++) sink += fn(i) ? 1 : 0;
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += fn(i) ? 1 : 0;
    const dt = performance.now() - t0;
    if (dt > batchMs / 4) {
      n = Math.max(1, Math.round((n * batchMs) / dt));
      break;
    }
    n *= 2;
  }
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += fn(i) ? 1 : 0;
    times.push(((performance.now() - t0) * 1000) / n);
  }
  if (sink < 0) console.log(sink);
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length / 2)], times[0]];
}

const POOL = 16;

function yumaCase(nv: number, nm: number, alpha?: number): () => [number, number] {
  return () => {
    const inputs = Array.from({ length: POOL }, (_, k) => yumaInput(1000 * nv + nm + k, nv, nm, alpha));
    return measure((i) => runYuma(inputs[i % POOL]));
  };
}

function rootCase(nv: number, ns: number): () => [number, number] {
  return () => {
    const inputs = Array.from({ length: POOL }, (_, k) => rootInput(7 * nv + ns + k, nv, ns));
    return measure((i) => {
      const x = inputs[i % POOL];
      return rootEmissionShares(x.stake, x.weights, x.subnets);
    });
  };
}

/** The game's per-round load: 128 subnets × (100 validators × 8 miners) + one root epoch (64 × 128). */
function roundCase(): [number, number] {
  const inputs = Array.from({ length: 128 }, (_, k) => yumaInput(55 + k, 100, 8));
  const root = rootInput(99, 64, 128);
  return measure(
    () => {
      let s = 0;
      for (const x of inputs) s += runYuma(x).incentive["0"];
      s += rootEmissionShares(root.stake, root.weights, root.subnets).recycledFraction;
      return s;
    },
    9,
    200,
  );
}

const cases: Record<string, [() => [number, number], string]> = {
  "runYuma 64×8": [yumaCase(64, 8), "µs/call"],
  "runYuma 100×8": [yumaCase(100, 8), "µs/call"],
  "runYuma 128×8": [yumaCase(128, 8), "µs/call"],
  "runYuma 256×16": [yumaCase(256, 16), "µs/call"],
  "runYuma 100×8 bonds α=0.1": [yumaCase(100, 8, 0.1), "µs/call"],
  "runYuma 256×16 bonds α=0.1": [yumaCase(256, 16, 0.1), "µs/call"],
  "rootEmissionShares 64×32": [rootCase(64, 32), "µs/call"],
  "rootEmissionShares 64×128": [rootCase(64, 128), "µs/call"],
  "round: 128×runYuma(100×8)+root": [roundCase, "ms/round"],
};

const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1).padStart(8);
const only = process.argv[2];
if (only !== undefined) {
  const entry = cases[only];
  if (!entry) throw new Error(`unknown case ${only}; one of: ${Object.keys(cases).join(", ")}`);
  const [median, best] = entry[0]();
  const scale = entry[1] === "ms/round" ? 1 / 1000 : 1;
  console.log(`${only.padEnd(32)} ${fmt(median * scale)} ${entry[1]} (best ${fmt(best * scale).trim()})`);
} else {
  const self = fileURLToPath(import.meta.url);
  for (const name of Object.keys(cases)) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, name], { encoding: "utf8" });
    process.stdout.write(r.status === 0 ? r.stdout : `${name}: failed\n${r.stderr}`);
  }
}
