import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { rootEmissionShares, type RootEmissionResult } from "../shared/rootConsensus.js";
import { ROOT_NETUID } from "../shared/state.js";
import { ROOT_KAPPA, ROOT_RHO } from "../shared/constants.js";

const close = (a: number, b: number, eps = 1e-12) => expect(Math.abs(a - b)).toBeLessThan(eps);
const total = (r: Record<string, number>) => Object.values(r).reduce((s, x) => s + x, 0);

/**
 * Golden example: s = 0.5/0.3/0.2 (raw 50/30/20), subnets "1", "2".
 *   A: {1: 1}            → row [1: 1]
 *   B: {1: 2, 2: 2}      → row [1: .5, 2: .5]
 *   C: {2: 1, 0: 1}      → row [2: .5, 0: .5]   (weight on root counts in normalisation)
 * rank  = {1: .5+.15 = .65, 2: .15+.1 = .25, 0: .1}
 * trust = {1: .8, 2: .5, 0: .2}
 * cons  = {1: σ(10·.3) = 1/(1+e^-3) ≈ 0.9525741268, 2: σ(0) = 0.5, 0: 1/(1+e^3) ≈ 0.0474258732}
 * score = cons·rank = {1: ≈0.6191731824, 2: 0.125, 0: ≈0.0047425873}
 * shares over {1,2}: 1 ≈ 0.8320283, 2 ≈ 0.1679717; recycled = score0/Σ ≈ 0.0063326
 * control: A = sh1·.5/.65; B = sh1·.15/.65 + sh2·.15/.25; C = sh2·.1/.25
 */
describe("rootEmissionShares golden example", () => {
  const r = rootEmissionShares(
    { A: 50, B: 30, C: 20 },
    { A: { "1": 1 }, B: { "1": 2, "2": 2 }, C: { "2": 1, "0": 1 } },
    ["1", "2"],
  );
  const cons1 = 1 / (1 + Math.exp(-3));
  const cons0 = 1 / (1 + Math.exp(3));
  const s1 = cons1 * 0.65;
  const s2 = 0.5 * 0.25;
  const s0 = cons0 * 0.1;

  it("rank, trust, consensus", () => {
    close(r.rank["1"], 0.65);
    close(r.rank["2"], 0.25);
    close(r.trust["1"], 0.8);
    close(r.trust["2"], 0.5);
    close(r.consensus["1"], 0.9525741268224334);
    close(r.consensus["2"], 0.5);
    expect(Object.keys(r.rank)).toEqual(["1", "2"]);
  });
  it("shares sum to 1 over the subnets; netuid 0 is reported as recycled", () => {
    close(r.shares["1"], s1 / (s1 + s2));
    close(r.shares["2"], s2 / (s1 + s2));
    close(r.shares["1"], 0.8320283464, 1e-9);
    close(total(r.shares), 1);
    expect(r.shares["0"]).toBeUndefined();
    close(r.recycledFraction, s0 / (s0 + s1 + s2));
    close(r.recycledFraction, 0.0063326044, 1e-9);
  });
  it("control", () => {
    const sh1 = r.shares["1"];
    const sh2 = r.shares["2"];
    close(r.control.A, (sh1 * 0.5) / 0.65);
    close(r.control.B, (sh1 * 0.15) / 0.65 + (sh2 * 0.15) / 0.25);
    close(r.control.C, (sh2 * 0.1) / 0.25);
    close(total(r.control), 1);
  });
});

describe("rootEmissionShares edge cases", () => {
  it("no weights → all shares 0, nothing recycled, no NaN", () => {
    const r = rootEmissionShares({ A: 1 }, {}, ["1", "2"]);
    expect(r.shares).toEqual({ "1": 0, "2": 0 });
    expect(r.control).toEqual({ A: 0 });
    expect(r.recycledFraction).toBe(0);
  });
  it("all weight on root → shares 0, recycled 1", () => {
    const r = rootEmissionShares({ A: 1 }, { A: { "0": 1 } }, ["1"]);
    expect(r.shares).toEqual({ "1": 0 });
    expect(r.recycledFraction).toBe(1);
  });
  it("no stake → all zero", () => {
    const r = rootEmissionShares({ A: 0 }, { A: { "1": 1 } }, ["1"]);
    expect(r.shares).toEqual({ "1": 0 });
    expect(r.control).toEqual({ A: 0 });
  });
  it('"0" listed among subnets is never given a share', () => {
    const r = rootEmissionShares({ A: 1 }, { A: { "0": 1, "1": 1 } }, ["0", "1"]);
    expect(r.shares).toEqual({ "1": 1 });
    expect(r.recycledFraction).toBeGreaterThan(0);
  });
  it("a subnet backed by a stake majority beats one backed by a minority with more rank per voter", () => {
    // Trust: sn1 has 0.6 of stake voting for it, sn2 only 0.4 (all of its voters' weight).
    const r = rootEmissionShares({ A: 3, B: 3, C: 4 }, { A: { "1": 1 }, B: { "1": 1 }, C: { "2": 1 } }, ["1", "2"]);
    expect(r.shares["1"]).toBeGreaterThan(0.6);
  });
});

describe("rootEmissionShares invariants (fast-check)", () => {
  const nets = ["1", "2", "3", "4"];
  const arb = fc.array(
    fc.tuple(
      fc.integer({ min: 0, max: 1000 }),
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: 5 }),
    ),
    { minLength: 1, maxLength: 8 },
  );
  it("shares and control are ≥ 0 and sum to 1 (or all 0); recycled in [0, 1]", () => {
    fc.assert(
      fc.property(arb, (vs) => {
        const stake: Record<string, number> = {};
        const weights: Record<string, Record<string, number>> = {};
        vs.forEach(([s, w], i) => {
          stake[`v${i}`] = s;
          weights[`v${i}`] = Object.fromEntries(["0", ...nets].map((n, k) => [n, w[k]]));
        });
        const r = rootEmissionShares(stake, weights, nets);
        const sS = total(r.shares);
        const sC = total(r.control);
        expect(Math.abs(sS - 1) < 1e-9 || sS === 0).toBe(true);
        expect(Math.abs(sC - sS) < 1e-9).toBe(true);
        for (const x of [...Object.values(r.shares), ...Object.values(r.control)]) {
          expect(x).toBeGreaterThanOrEqual(0);
        }
        expect(r.recycledFraction).toBeGreaterThanOrEqual(0);
        expect(r.recycledFraction).toBeLessThanOrEqual(1);
        for (const n of nets) {
          expect(r.trust[n]).toBeLessThanOrEqual(1 + 1e-12);
          expect(r.consensus[n]).toBeGreaterThan(0);
          expect(r.consensus[n]).toBeLessThan(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- against the reference implementation ---------------------------------------------

/** Same keys in the same order, numbers equal to 1e-12 (in practice bit-identical). */
function expectSameResult(actual: RootEmissionResult, expected: RootEmissionResult): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  close(actual.recycledFraction, expected.recycledFraction, 1e-12 + Number.EPSILON);
  for (const field of ["shares", "rank", "trust", "consensus", "control"] as const) {
    const a = actual[field];
    const e = expected[field];
    expect(Object.keys(a), field).toEqual(Object.keys(e));
    for (const k of Object.keys(e)) {
      expect(Math.abs(a[k] - e[k]), `${field}.${k}: ${a[k]} vs ${e[k]}`).toBeLessThanOrEqual(1e-12);
    }
  }
}

/** Netuids and validator ids as callers pass them, odd ones included. */
const arbNet = fc.oneof(fc.constantFrom("0", "1", "2", "3", "10", "11", "64", "01", "x"), fc.string({ maxLength: 3 }));
const arbRaw = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-300, 1e300) },
);
const arbRandom = fc.record({
  validators: fc.uniqueArray(fc.oneof(fc.constantFrom("A", "B", "npc:v1", "npc:v10", "5"), fc.string({ minLength: 1, maxLength: 3 })), {
    maxLength: 8,
  }),
  subnets: fc.array(arbNet, { maxLength: 8 }),
  stakes: fc.array(arbRaw, { minLength: 8, maxLength: 8 }),
  rows: fc.array(fc.option(fc.dictionary(arbNet, arbRaw, { maxKeys: 8 }), { nil: undefined }), { minLength: 8, maxLength: 8 }),
  rho: fc.option(fc.double({ min: 0, max: 50, noNaN: true }), { nil: undefined }),
  kappa: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

/** Game-shaped: up to 64 validators × 128 subnets, dense noisy rows, some validators silent. */
const arbGame = fc
  .record({ nv: fc.integer({ min: 1, max: 64 }), ns: fc.integer({ min: 1, max: 128 }), seed: fc.integer() })
  .map(({ nv, ns, seed }) => {
    let a = seed >>> 0;
    const rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const subnets = Array.from({ length: ns }, (_, j) => String(j + 1));
    const stake: Record<string, number> = {};
    const weights: Record<string, Record<string, number>> = {};
    for (let i = 0; i < nv; i++) {
      const v = `npc:v${i + 1}`;
      stake[v] = rand() < 0.05 ? 0 : 1 + rand() * 1000;
      if (rand() < 0.9) {
        const row: Record<string, number> = {};
        for (const n of [ROOT_NETUID, ...subnets]) if (rand() < 0.7) row[n] = rand();
        weights[v] = row;
      }
    }
    return { stake, weights, subnets };
  });

describe("rootEmissionShares matches the reference implementation (fast-check)", () => {
  it("random small inputs, junk values included", () => {
    fc.assert(
      fc.property(arbRandom, ({ validators, subnets, stakes, rows, rho, kappa }) => {
        const stake: Record<string, number> = {};
        const weights: Record<string, Record<string, number>> = {};
        validators.forEach((v, i) => {
          stake[v] = stakes[i];
          const row = rows[i];
          if (row) weights[v] = row;
        });
        const r = rho ?? ROOT_RHO;
        const k = kappa ?? ROOT_KAPPA;
        expectSameResult(rootEmissionShares(stake, weights, subnets, r, k), rootEmissionSharesReference(stake, weights, subnets, r, k));
      }),
      { numRuns: 2000 },
    );
  });
  it("game-shaped inputs, up to 64 validators × 128 subnets", () => {
    fc.assert(
      fc.property(arbGame, ({ stake, weights, subnets }) => {
        expectSameResult(rootEmissionShares(stake, weights, subnets), rootEmissionSharesReference(stake, weights, subnets));
      }),
      { numRuns: 200 },
    );
  });
});

// ---- reference implementation ---------------------------------------------------------
// The straightforward implementation rootEmissionShares replaced (Records throughout), kept
// verbatim as the specification the optimised one must match.

function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}

function rootEmissionSharesReference(
  stake: Record<string, number>,
  weights: Record<string, Record<string, number>>,
  subnets: string[],
  rho: number = ROOT_RHO,
  kappa: number = ROOT_KAPPA,
): RootEmissionResult {
  const nets = [...new Set(subnets)].filter((n) => n !== ROOT_NETUID).sort();
  const columns = [...nets, ROOT_NETUID];
  const validators = [...new Set(Object.keys(stake))].sort();

  // s: normalised over every validator with positive stake (voting or not, as on chain).
  const s: Record<string, number> = {};
  let stakeSum = 0;
  for (const v of validators) stakeSum += clean(stake[v]);
  for (const v of validators) s[v] = stakeSum > 0 ? clean(stake[v]) / stakeSum : 0;

  // Rows normalised over subnets ∪ {0}; weight on unknown netuids is ignored.
  const rows: Record<string, Record<string, number>> = {};
  for (const v of validators) {
    const raw = weights[v] ?? {};
    let sum = 0;
    for (const j of columns) sum += clean(raw[j]);
    const row: Record<string, number> = {};
    for (const j of columns) row[j] = sum > 0 ? clean(raw[j]) / sum : 0;
    rows[v] = row;
  }

  const rankAll: Record<string, number> = {};
  const trustAll: Record<string, number> = {};
  const consAll: Record<string, number> = {};
  const score: Record<string, number> = {};
  for (const j of columns) {
    let r = 0;
    let t = 0;
    for (const v of validators) {
      r += s[v] * rows[v][j];
      if (rows[v][j] > 0) t += s[v];
    }
    rankAll[j] = r;
    trustAll[j] = t;
    consAll[j] = 1 / (1 + Math.exp(-rho * (t - kappa)));
    score[j] = consAll[j] * r;
  }

  let netScore = 0;
  for (const j of nets) netScore += score[j];
  const totalScore = netScore + score[ROOT_NETUID];
  const recycledFraction = totalScore > 0 ? score[ROOT_NETUID] / totalScore : 0;

  const shares: Record<string, number> = {};
  const rank: Record<string, number> = {};
  const trust: Record<string, number> = {};
  const consensus: Record<string, number> = {};
  for (const j of nets) {
    shares[j] = netScore > 0 ? score[j] / netScore : 0;
    rank[j] = rankAll[j];
    trust[j] = trustAll[j];
    consensus[j] = consAll[j];
  }

  const control: Record<string, number> = {};
  for (const v of validators) {
    let c = 0;
    for (const j of nets) if (rankAll[j] > 0) c += (shares[j] * s[v] * rows[v][j]) / rankAll[j];
    control[v] = c;
  }

  return { shares, rank, trust, consensus, control, recycledFraction };
}
