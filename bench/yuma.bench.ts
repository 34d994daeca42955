/**
 * Micro-benchmark for runYuma and rootEmissionShares: `npx tsx bench/yuma.bench.ts`.
 * Prints µs per call (median over several timed batches) on deterministic random inputs
 * shaped like the game's: mostly dense weight rows, a few validators with no weights,
 * a few with zero stake, some sparse rows.
 */
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

/** Median µs per call over `batches` batches, each sized to take roughly `batchMs`. */
function measure(fn: (i: number) => unknown, batches = 15, batchMs = 40): number {
  let sink = 0;
  // Warm up and size the batch.
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
  return times[Math.floor(times.length / 2)];
}

const POOL = 16;
const fmt = (us: number) => us.toFixed(us < 10 ? 2 : 1).padStart(8);

const yumaCases: Array<[string, number, number, number | undefined]> = [
  ["runYuma 64×8", 64, 8, undefined],
  ["runYuma 100×8", 100, 8, undefined],
  ["runYuma 128×8", 128, 8, undefined],
  ["runYuma 256×16", 256, 16, undefined],
  ["runYuma 100×8 bonds α=0.1", 100, 8, 0.1],
  ["runYuma 256×16 bonds α=0.1", 256, 16, 0.1],
];
for (const [name, nv, nm, alpha] of yumaCases) {
  const inputs = Array.from({ length: POOL }, (_, k) => yumaInput(1000 * nv + nm + k, nv, nm, alpha));
  const us = measure((i) => runYuma(inputs[i % POOL]));
  console.log(`${name.padEnd(30)} ${fmt(us)} µs/call`);
}

const rootCases: Array<[string, number, number]> = [
  ["rootEmissionShares 64×32", 64, 32],
  ["rootEmissionShares 64×128", 64, 128],
];
for (const [name, nv, ns] of rootCases) {
  const inputs = Array.from({ length: POOL }, (_, k) => rootInput(7 * nv + ns + k, nv, ns));
  const us = measure((i) => {
    const x = inputs[i % POOL];
    return rootEmissionShares(x.stake, x.weights, x.subnets);
  });
  console.log(`${name.padEnd(30)} ${fmt(us)} µs/call`);
}

// The game's per-round load: 128 subnets × (100 validators × 8 miners) + one root epoch.
{
  const inputs = Array.from({ length: 128 }, (_, k) => yumaInput(55 + k, 100, 8));
  const root = rootInput(99, 64, 128);
  const us = measure(() => {
    let s = 0;
    for (const x of inputs) s += runYuma(x).incentive["0"];
    s += rootEmissionShares(root.stake, root.weights, root.subnets).recycledFraction;
    return s;
  }, 9, 200);
  console.log(`${"round: 128×runYuma(100×8)+root".padEnd(30)} ${fmt(us / 1000)} ms/round`);
}
