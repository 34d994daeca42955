import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runYuma, type YumaInput, type YumaResult } from "../shared/yuma.js";
import { YUMA_KAPPA } from "../shared/constants.js";

const close = (a: number, b: number, eps = 1e-12) => expect(Math.abs(a - b)).toBeLessThan(eps);
const total = (r: Record<string, number>) => Object.values(r).reduce((s, x) => s + x, 0);

/**
 * Golden example. Stakes 0.5/0.3/0.2 (given raw as 5/3/2); v2 and v3 give raw weights.
 *   W  = v1 [0.6, 0.4, 0  ]   v2 [0.1, 0.3, 0.6]   v3 [0.5, 0, 0.5]
 * m1: sorted 0.6(v1, .5) → cum .5 ≥ κ                   → C1 = 0.6
 * m2: sorted 0.4(v1, .5) → cum .5                        → C2 = 0.4
 * m3: sorted 0.6(v2, .3), 0.5(v3, .2) → cum .5           → C3 = 0.5
 *   W̄ = v1 [0.6, 0.4, 0]     v2 [0.1, 0.3, 0.5]   v3 [0.5, 0, 0.5]   (v2's m3 clipped)
 * R = [.3+.03+.1, .2+.09, .15+.1] = [.43, .29, .25], ΣR = .97 → I = [43, 29, 25]/97
 * Column sums of W̄: [1.2, 0.7, 1.0]. ×97:
 *   v1: .5·(.6/1.2·43 + .4/.7·29)          = 533/28   = 3198/168
 *   v2: .3·(.1/1.2·43 + .3/.7·29 + .5·25)  = 1437/168
 *   v3: .2·(.5/1.2·43 + .5·25)             = 73/12    = 1022/168
 * → D = [3198, 1437, 1022]/5657.
 * Bond mode with α = 1 and no old bonds: B_ij = S_i W̄_ij / R_j, so D_i ∝ S_i·trust_i:
 *   [.5·1, .3·.9, .2·1]/.97 = [50, 27, 20]/97.
 */
const golden: YumaInput = {
  stake: { v1: 5, v2: 3, v3: 2 },
  miners: ["m1", "m2", "m3"],
  weights: {
    v1: { m1: 0.6, m2: 0.4 },
    v2: { m1: 1, m2: 3, m3: 6 },
    v3: { m1: 1, m3: 1 },
  },
};

describe("runYuma golden example", () => {
  const r = runYuma(golden);
  it("consensus", () => {
    close(r.consensus.m1, 0.6);
    close(r.consensus.m2, 0.4);
    close(r.consensus.m3, 0.5);
  });
  it("clipped weights and validator trust", () => {
    close(r.clippedWeights.v2.m3, 0.5);
    close(r.clippedWeights.v2.m1, 0.1);
    close(r.clippedWeights.v3.m1, 0.5);
    close(r.validatorTrust.v1, 1);
    close(r.validatorTrust.v2, 0.9);
    close(r.validatorTrust.v3, 1);
  });
  it("incentive", () => {
    close(r.incentive.m1, 43 / 97);
    close(r.incentive.m2, 29 / 97);
    close(r.incentive.m3, 25 / 97);
  });
  it("dividends (Yuma 3, α = 1)", () => {
    close(r.dividends.v1, 3198 / 5657);
    close(r.dividends.v2, 1437 / 5657);
    close(r.dividends.v3, 1022 / 5657);
  });
  it("dividends (bond mode, α = 1, no old bonds)", () => {
    const b = runYuma({ ...golden, bondAlpha: 1 });
    close(b.dividends.v1, 50 / 97);
    close(b.dividends.v2, 27 / 97);
    close(b.dividends.v3, 20 / 97);
    close(b.bonds.v1.m1, 0.3 / 0.43);
  });
  it("bond mode EMA mixes old bonds: α = 0.5, old bonds all on v3", () => {
    const old = { v3: { m1: 1, m2: 1, m3: 1 } };
    const b = runYuma({ ...golden, bondAlpha: 0.5, bonds: old });
    // m2: ΔB = [.2, .09, 0]/.29; B = .5ΔB + .5·[0,0,1] → already sums to 1.
    close(b.bonds.v1.m2, 0.5 * (0.2 / 0.29));
    close(b.bonds.v3.m2, 0.5);
    close(total(b.dividends), 1);
    // v3 gains relative to the no-history case.
    expect(b.dividends.v3).toBeGreaterThan(20 / 97);
  });
});

describe("runYuma edge cases", () => {
  it("nobody set weights → incentive and dividends all 0", () => {
    const r = runYuma({ stake: { a: 1, b: 2 }, weights: {}, miners: ["x", "y"] });
    expect(Object.values(r.incentive)).toEqual([0, 0]);
    expect(Object.values(r.dividends)).toEqual([0, 0]);
    expect(Object.values(r.activeStake)).toEqual([0, 0]);
    expect(Object.keys(r.incentive)).toEqual(["x", "y"]);
  });
  it("validators with stake ≤ 0 or only zero weights are inactive", () => {
    const r = runYuma({
      stake: { a: 1, b: 0, c: 3 },
      weights: { a: { x: 1 }, b: { y: 1 }, c: { x: 0, y: 0 } },
      miners: ["x", "y"],
    });
    expect(r.activeStake).toEqual({ a: 1, b: 0, c: 0 });
    expect(r.incentive).toEqual({ x: 1, y: 0 });
    expect(r.dividends).toEqual({ a: 1, b: 0, c: 0 });
    expect(Object.keys(r.clippedWeights)).toEqual(["a"]);
  });
  it("weights on unknown miners are ignored", () => {
    const r = runYuma({ stake: { a: 1 }, weights: { a: { x: 1, ghost: 9 } }, miners: ["x"] });
    expect(r.incentive.x).toBe(1);
    expect(r.clippedWeights.a).toEqual({ x: 1 });
  });
  it("output does not depend on key insertion order", () => {
    const a = runYuma(golden);
    const b = runYuma({
      stake: { v3: 2, v1: 5, v2: 3 },
      miners: ["m3", "m1", "m2"],
      weights: { v3: { m3: 1, m1: 1 }, v2: { m3: 6, m2: 3, m1: 1 }, v1: { m2: 0.4, m1: 0.6 } },
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

// ---- properties ----------------------------------------------------------------------

const MINERS = ["m0", "m1", "m2", "m3"];
const weightRow = fc
  .array(fc.integer({ min: 0, max: 100 }), { minLength: MINERS.length, maxLength: MINERS.length })
  .filter((w) => w.some((x) => x > 0))
  .map((w) => Object.fromEntries(MINERS.map((m, i) => [m, w[i]])));

const arbInput = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.option(weightRow, { nil: undefined })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((vs): YumaInput => {
    const stake: Record<string, number> = {};
    const weights: Record<string, Record<string, number>> = {};
    vs.forEach(([s, w], i) => {
      stake[`v${i}`] = s;
      if (w) weights[`v${i}`] = w;
    });
    return { stake, weights, miners: MINERS };
  });

describe("runYuma invariants (fast-check)", () => {
  it("ΣI = 1 and ΣD = 1 (or all 0); W̄ ≤ W; 0 ≤ C_j ≤ max_i W_ij", () => {
    fc.assert(
      fc.property(arbInput, fc.boolean(), (input, bondMode) => {
        const r = runYuma(bondMode ? { ...input, bondAlpha: 0.1 } : input);
        const sI = total(r.incentive);
        const sD = total(r.dividends);
        expect(Math.abs(sI - 1) < 1e-9 || sI === 0).toBe(true);
        expect(Math.abs(sD - 1) < 1e-9 || sD === 0).toBe(true);
        for (const x of [...Object.values(r.incentive), ...Object.values(r.dividends)]) {
          expect(x).toBeGreaterThanOrEqual(0);
        }
        for (const m of MINERS) {
          let maxW = 0;
          for (const [v, row] of Object.entries(r.clippedWeights)) {
            const raw = input.weights[v];
            const rowSum = MINERS.reduce((s, k) => s + (raw[k] ?? 0), 0);
            const w = (raw[m] ?? 0) / rowSum;
            expect(row[m]).toBeLessThanOrEqual(w + 1e-15);
            maxW = Math.max(maxW, w);
          }
          expect(r.consensus[m]).toBeGreaterThanOrEqual(0);
          expect(r.consensus[m]).toBeLessThanOrEqual(maxW + 1e-15);
        }
      }),
      { numRuns: 300 },
    );
  });

  /**
   * An honest group (A and others) all set the same weights w; B has A's stake and sets any
   * weights. Since A, B ≥ 1 and others ≥ 1, the honest group holds > κ = 0.5 and B < κ.
   */
  const arbHonest = fc.record({
    sA: fc.integer({ min: 1, max: 1000 }),
    others: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 4 }),
    w: weightRow,
    wB: weightRow,
    bondMode: fc.boolean(),
  });
  const build = ({ sA, others, w, wB }: { sA: number; others: number[]; w: Record<string, number>; wB: Record<string, number> }) => {
    const stake: Record<string, number> = { A: sA, B: sA };
    const weights: Record<string, Record<string, number>> = { A: w, B: wB };
    others.forEach((s, i) => {
      stake[`h${i}`] = s;
      weights[`h${i}`] = w;
    });
    return { stake, weights, miners: MINERS } satisfies YumaInput;
  };

  it("of two equal-stake validators, the one at consensus earns at least as much as one that deviates", () => {
    fc.assert(
      fc.property(arbHonest, (p) => {
        const input = build(p);
        const r = runYuma(p.bondMode ? { ...input, bondAlpha: 1 } : input);
        expect(r.dividends.A).toBeGreaterThanOrEqual(r.dividends.B - 1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it("a lone deviating validator with < κ stake cannot move consensus away from the agreeing rest", () => {
    fc.assert(
      fc.property(arbHonest, (p) => {
        const r = runYuma(build(p));
        const wSum = MINERS.reduce((s, m) => s + p.w[m], 0);
        for (const m of MINERS) close(r.consensus[m], p.w[m] / wSum, 1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it("with heterogeneous others, a < κ validator keeps C_j within the others' [min, max]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), weightRow), { minLength: 1, maxLength: 5 }),
        weightRow,
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (others, wB, frac) => {
          const otherStake = others.reduce((s, [x]) => s + x, 0);
          // B's share of the total = frac·0.5 < κ.
          const sB = (frac * 0.5 * otherStake) / (1 - frac * 0.5);
          const stake: Record<string, number> = { B: sB };
          const weights: Record<string, Record<string, number>> = { B: wB };
          others.forEach(([s, w], i) => {
            stake[`o${i}`] = s;
            weights[`o${i}`] = w;
          });
          const r = runYuma({ stake, weights, miners: MINERS });
          for (const m of MINERS) {
            const col = others.map(([, w]) => w[m] / MINERS.reduce((s, k) => s + w[k], 0));
            expect(r.consensus[m]).toBeGreaterThanOrEqual(Math.min(...col) - 1e-12);
            expect(r.consensus[m]).toBeLessThanOrEqual(Math.max(...col) + 1e-12);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- against the reference implementation ---------------------------------------------

/**
 * Same keys in the same order at every level, and numbers equal to 1e-12 (in practice they
 * are bit-identical: every sum is taken in the reference's order).
 */
function expectSameResult(actual: YumaResult, expected: YumaResult): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const field of Object.keys(expected) as Array<keyof YumaResult>) {
    const a = actual[field] as Record<string, unknown>;
    const e = expected[field] as Record<string, unknown>;
    expect(Object.keys(a), field).toEqual(Object.keys(e));
    for (const k of Object.keys(e)) {
      const ev = e[k];
      const av = a[k];
      if (typeof ev === "number") {
        expect(typeof av, `${field}.${k}`).toBe("number");
        expect(Math.abs((av as number) - ev), `${field}.${k}: ${av} vs ${ev}`).toBeLessThanOrEqual(1e-12);
      } else {
        const er = ev as Record<string, number>;
        const ar = av as Record<string, number>;
        expect(Object.keys(ar), `${field}.${k}`).toEqual(Object.keys(er));
        for (const m of Object.keys(er)) {
          expect(Math.abs(ar[m] - er[m]), `${field}.${k}.${m}: ${ar[m]} vs ${er[m]}`).toBeLessThanOrEqual(1e-12);
        }
      }
    }
  }
}

/**
 * Validator ids and miner uids, including integer-like keys (stored as elements by V8). Not
 * names of Object.prototype members ("constructor"): the reference looks some of those up on
 * plain objects and then sees the inherited member (e.g. a bond holder named "constructor"
 * gets NaN bonds there), which runYuma does not replicate.
 */
const arbId = fc.oneof(
  fc.constantFrom("a", "b", "c", "v1", "v2", "v10", "npc:v3", "0", "1", "7", "10", "01", "ä"),
  fc.string({ minLength: 1, maxLength: 4 }),
);
/** Raw numbers as a caller might pass them, junk included (cleaned to 0). */
const arbRaw = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-300, 1e300) },
);
const arbRow = (ids: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...ids), arbId), arbRaw, { maxKeys: ids.length + 2 });

const arbRandomInput = fc
  .record({
    validators: fc.uniqueArray(arbId, { minLength: 0, maxLength: 10 }),
    miners: fc.array(arbId, { minLength: 0, maxLength: 7 }),
  })
  .chain(({ validators, miners }) =>
    fc.record({
      stake: fc.tuple(...validators.map(() => arbRaw)),
      weights: fc.tuple(...validators.map(() => fc.option(arbRow(miners.length > 0 ? miners : ["x"]), { nil: undefined }))),
      kappa: fc.option(fc.oneof(fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.constantFrom(0, 0.5, 1, Number.NaN)), {
        nil: undefined,
      }),
      bondAlpha: fc.option(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.1, 1, 2, Number.NaN)), {
        nil: undefined,
      }),
      bonds: fc.option(
        fc.tuple(...validators.map(() => fc.option(arbRow(miners.length > 0 ? miners : ["x"]), { nil: undefined }))),
        { nil: undefined },
      ),
      validators: fc.constant(validators),
      miners: fc.constant(miners),
    }),
  )
  .map(({ validators, miners, stake, weights, kappa, bondAlpha, bonds }): YumaInput => {
    const input: YumaInput = { stake: {}, weights: {}, miners };
    validators.forEach((v, i) => {
      input.stake[v] = stake[i];
      const row = weights[i];
      if (row) input.weights[v] = row;
    });
    if (kappa !== undefined) input.kappa = kappa;
    if (bondAlpha !== undefined) input.bondAlpha = bondAlpha;
    if (bonds) {
      input.bonds = {};
      validators.forEach((v, i) => {
        const row = bonds[i];
        if (row) input.bonds![v] = row;
      });
    }
    return input;
  });

/**
 * Game-shaped inputs: up to 160 validators with integer stakes and dense rows of continuous
 * weights over up to 16 miners (uids "0".."15"), some validators idle. κ is either random or
 * placed exactly on a prefix sum of the stakes (+ the 1e-12 tolerance), where rounding decides
 * and the quantile must fall back to the exact walk.
 */
const arbGameInput = fc
  .record({
    nv: fc.integer({ min: 1, max: 160 }),
    nm: fc.integer({ min: 1, max: 16 }),
    seed: fc.integer(),
    onPrefix: fc.boolean(),
    bondMode: fc.boolean(),
    ties: fc.boolean(),
  })
  .map(({ nv, nm, seed, onPrefix, bondMode, ties }): YumaInput => {
    let a = seed >>> 0;
    const rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const miners = Array.from({ length: nm }, (_, j) => String(j));
    const input: YumaInput = { stake: {}, weights: {}, miners };
    const stakes: number[] = [];
    for (let i = 0; i < nv; i++) {
      const v = `npc:v${i + 1}`;
      const s = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 20);
      input.stake[v] = s;
      stakes.push(s);
      if (rand() < 0.9) {
        const row: Record<string, number> = {};
        for (const m of miners) if (rand() < 0.9) row[m] = ties ? Math.floor(rand() * 4) : rand();
        input.weights[v] = row;
      }
    }
    if (onPrefix) {
      const total = stakes.reduce((x, y) => x + y, 0) || 1;
      let prefix = 0;
      const k = Math.floor(rand() * nv);
      for (let i = 0; i <= k; i++) prefix += stakes[i];
      input.kappa = prefix / total + 1e-12;
    }
    if (bondMode) {
      input.bondAlpha = rand();
      input.bonds = {};
      for (const v of Object.keys(input.stake)) {
        if (rand() < 0.7) input.bonds[v] = Object.fromEntries(miners.map((m) => [m, rand()]));
      }
    }
    return input;
  });

describe("runYuma matches the reference implementation (fast-check)", () => {
  it("random small inputs, junk values included", () => {
    fc.assert(
      fc.property(arbRandomInput, (input) => {
        expectSameResult(runYuma(input), runYumaReference(input));
      }),
      { numRuns: 2000 },
    );
  });
  it("game-shaped inputs, up to 160 validators × 16 miners", () => {
    fc.assert(
      fc.property(arbGameInput, (input) => {
        expectSameResult(runYuma(input), runYumaReference(input));
      }),
      { numRuns: 200 },
    );
  });
  it("κ exactly on a stake prefix sum: the exact walk decides", () => {
    // S' = .25, .25, .5; with κ = .5 + 1e-12 the threshold is .5 to within rounding.
    const input: YumaInput = {
      stake: { a: 1, b: 1, c: 2 },
      weights: { a: { x: 3, y: 1 }, b: { x: 2, y: 2 }, c: { x: 1, y: 3 } },
      miners: ["x", "y"],
      kappa: 0.5 + 1e-12,
    };
    expectSameResult(runYuma(input), runYumaReference(input));
    for (const k of [0.25, 0.5, 0.75, 1]) {
      for (const d of [-2e-12, -1e-12, 0, 1e-12, 2e-12]) {
        const i2 = { ...input, kappa: k + d };
        expectSameResult(runYuma(i2), runYumaReference(i2));
      }
    }
  });
  it("is re-entrant (a getter on the input may call runYuma)", () => {
    const inner = { stake: { p: 1, q: 3 }, weights: { p: { x: 1 }, q: { x: 1, y: 1 } }, miners: ["x", "y"] };
    let innerResult: YumaResult | undefined;
    const row = {
      get x() {
        innerResult = runYuma(inner);
        return 2;
      },
      y: 1,
    };
    const outer: YumaInput = { stake: { a: 1, b: 2 }, weights: { a: row, b: { x: 1, y: 3 } }, miners: ["x", "y"] };
    const expected = runYumaReference({ ...outer, weights: { a: { x: 2, y: 1 }, b: { x: 1, y: 3 } } });
    expectSameResult(runYuma(outer), expected);
    expectSameResult(innerResult!, runYumaReference(inner));
  });
  it("workspace reuse across sizes does not leak state between calls", () => {
    const big = fc.sample(arbGameInput, { numRuns: 20, seed: 42 });
    const small = fc.sample(arbRandomInput, { numRuns: 20, seed: 7 });
    for (let i = 0; i < 20; i++) {
      for (const input of [big[i], small[i]]) expectSameResult(runYuma(input), runYumaReference(input));
    }
  });
});

// ---- reference implementation ---------------------------------------------------------
// The straightforward implementation runYuma replaced (Records throughout, one sort per
// column), kept verbatim as the specification the optimised one must match.

/** Non-finite or negative → 0. */
function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

function zeros(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = 0;
  return out;
}

/** Relative tolerance for "cumulative stake ≥ κ", so 0.1+0.2+0.2 still counts as 0.5. */
const KAPPA_EPS = 1e-12;

/**
 * Stake-weighted κ-quantile of one column: the largest c such that validators holding at
 * least κ of the stake gave weight ≥ c. `entries` are [weight, normalised stake, id].
 */
function weightedQuantile(entries: Array<[number, number, string]>, kappa: number): number {
  if (entries.length === 0) return 0;
  const sorted = [...entries].sort((a, b) => b[0] - a[0] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  let cum = 0;
  for (const [w, s] of sorted) {
    cum += s;
    if (cum >= kappa - KAPPA_EPS) return w;
  }
  return sorted[sorted.length - 1][0];
}

function runYumaReference(input: YumaInput): YumaResult {
  const kappaRaw = input.kappa ?? YUMA_KAPPA;
  const kappa = Number.isFinite(kappaRaw) ? Math.min(1, Math.max(0, kappaRaw)) : YUMA_KAPPA;
  const miners = sortedUnique(input.miners);
  const validators = sortedUnique(Object.keys(input.stake));

  // Normalised weight rows of validators with a permit (S > 0) that set any weight.
  const rows: Record<string, Record<string, number>> = {};
  const active: string[] = [];
  for (const v of validators) {
    if (clean(input.stake[v]) === 0) continue;
    const raw = input.weights[v];
    if (!raw) continue;
    let sum = 0;
    for (const m of miners) sum += clean(raw[m]);
    if (sum === 0) continue;
    const row: Record<string, number> = {};
    for (const m of miners) row[m] = clean(raw[m]) / sum;
    rows[v] = row;
    active.push(v);
  }

  // S' over the active validators.
  const activeStake = zeros(validators);
  let stakeSum = 0;
  for (const v of active) stakeSum += clean(input.stake[v]);
  for (const v of active) activeStake[v] = clean(input.stake[v]) / stakeSum;

  const consensus = zeros(miners);
  const incentive = zeros(miners);
  const dividends = zeros(validators);
  const validatorTrust = zeros(validators);
  const clippedWeights: Record<string, Record<string, number>> = {};
  const bonds: Record<string, Record<string, number>> = {};

  const bondMode = input.bondAlpha !== undefined;
  if (active.length === 0) {
    if (bondMode) decayOnlyBonds(input, validators, miners, bonds);
    return { consensus, incentive, dividends, validatorTrust, clippedWeights, bonds, activeStake };
  }

  // Consensus and clipping.
  for (const m of miners) {
    consensus[m] = weightedQuantile(
      active.map((v) => [rows[v][m], activeStake[v], v] as [number, number, string]),
      kappa,
    );
  }
  for (const v of active) {
    const row: Record<string, number> = {};
    let trust = 0;
    for (const m of miners) {
      row[m] = Math.min(rows[v][m], consensus[m]);
      trust += row[m];
    }
    clippedWeights[v] = row;
    validatorTrust[v] = trust;
  }

  // Rank and incentive.
  const rank = zeros(miners);
  let rankSum = 0;
  for (const m of miners) {
    let r = 0;
    for (const v of active) r += activeStake[v] * clippedWeights[v][m];
    rank[m] = r;
    rankSum += r;
  }
  if (rankSum > 0) for (const m of miners) incentive[m] = rank[m] / rankSum;

  // Dividends.
  const raw = zeros(validators);
  if (bondMode) {
    const alpha = clampAlpha(input.bondAlpha as number);
    const old = input.bonds ?? {};
    // Bond holders: active validators plus permitted validators still holding old bonds.
    const holders = validators.filter(
      (v) => activeStake[v] > 0 || (clean(input.stake[v]) > 0 && old[v] !== undefined),
    );
    for (const v of holders) bonds[v] = zeros(miners);
    for (const m of miners) {
      // ΔB_ij = S'_i·W̄_ij, column-normalised (the column sum is rank_j).
      let colSum = 0;
      for (const v of holders) {
        const delta = rank[m] > 0 && clippedWeights[v] ? (activeStake[v] * clippedWeights[v][m]) / rank[m] : 0;
        const b = alpha * delta + (1 - alpha) * clean(old[v]?.[m]);
        bonds[v][m] = b;
        colSum += b;
      }
      for (const v of holders) bonds[v][m] = colSum > 0 ? bonds[v][m] / colSum : 0;
    }
    for (const v of holders) {
      let d = 0;
      for (const m of miners) d += bonds[v][m] * incentive[m];
      raw[v] = d;
    }
  } else {
    // Yuma 3 with α = 1: B = W̄, B̂ = B column-normalised, D_i ∝ S'_i·Σ_j B̂_ij·I_j.
    const colSum = zeros(miners);
    for (const m of miners) for (const v of active) colSum[m] += clippedWeights[v][m];
    for (const v of active) {
      const row: Record<string, number> = {};
      let d = 0;
      for (const m of miners) {
        row[m] = colSum[m] > 0 ? clippedWeights[v][m] / colSum[m] : 0;
        d += row[m] * incentive[m];
      }
      bonds[v] = row;
      raw[v] = activeStake[v] * d;
    }
  }
  let dSum = 0;
  for (const v of validators) dSum += raw[v];
  if (dSum > 0) for (const v of validators) dividends[v] = raw[v] / dSum;

  return { consensus, incentive, dividends, validatorTrust, clippedWeights, bonds, activeStake };
}

function clampAlpha(a: number): number {
  return Number.isFinite(a) ? Math.min(1, Math.max(0, a)) : 1;
}

/**
 * Bond mode with nobody active: ΔB = 0, so B = (1−α)·B_old; after column normalisation that
 * is B_old renormalised (or all 0 when α = 1).
 */
function decayOnlyBonds(
  input: YumaInput,
  validators: string[],
  miners: string[],
  out: Record<string, Record<string, number>>,
): void {
  const alpha = clampAlpha(input.bondAlpha as number);
  const old = input.bonds ?? {};
  const holders = validators.filter((v) => clean(input.stake[v]) > 0 && old[v] !== undefined);
  for (const v of holders) out[v] = zeros(miners);
  if (alpha >= 1) return;
  for (const m of miners) {
    let colSum = 0;
    for (const v of holders) colSum += clean(old[v][m]);
    for (const v of holders) out[v][m] = colSum > 0 ? clean(old[v][m]) / colSum : 0;
  }
}

describe("lean mode", () => {
  it("gives the same consensus, incentive and dividends as the full result", () => {
    const stake = { a: 0.5, b: 0.3, c: 0.2, d: 0 };
    const weights = { a: { "0": 1, "1": 2, "2": 0 }, b: { "0": 3, "1": 1, "2": 1 }, c: { "2": 1 }, d: { "0": 1 } };
    const miners = ["0", "1", "2"];
    const full = runYuma({ stake, weights, miners });
    const lean = runYuma({ stake, weights, miners, lean: true });
    expect(lean.consensus).toEqual(full.consensus);
    expect(lean.incentive).toEqual(full.incentive);
    expect(lean.dividends).toEqual(full.dividends);
    expect(lean.clippedWeights).toEqual({});
  });
});
