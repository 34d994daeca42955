import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { rootEmissionShares } from "../shared/rootConsensus.js";

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
