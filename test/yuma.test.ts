import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runYuma, type YumaInput } from "../shared/yuma.js";

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
