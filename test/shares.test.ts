import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RAO, dec, isRaoExact, sum, type Dec } from "../shared/decimal.js";
import { normalise, sharesFromFlow, sharesFromPriceEma, splitByShares } from "../shared/shares.js";

const rec = (o: Record<string, string | number>): Record<string, Dec> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, dec(v)]));
const str = (r: Record<string, Dec>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));
const total = (r: Record<string, Dec>) => sum(Object.values(r));

/** Netuid-keyed records of rao-exact amounts, often with zeros. */
const raoAmount = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 0n, max: 1_000_000_000n }),
  fc.bigInt({ min: 0n, max: 21_000_000_000_000_000n }),
).map((r) => dec(r.toString()).times(RAO));
const signedRaoAmount = fc.tuple(raoAmount, fc.boolean()).map(([a, neg]) => (neg ? a.neg() : a));
const netuids = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 0, maxLength: 40 });
const weightsArb = (valueArb: fc.Arbitrary<Dec>) =>
  netuids.chain((ids) => fc.tuple(...ids.map(() => valueArb)).map((vs) =>
    Object.fromEntries(ids.map((id, i) => [String(id), vs[i]])) as Record<string, Dec>));

function expectValidShares(shares: Record<string, Dec>, keys: string[]): void {
  expect(Object.keys(shares).sort()).toEqual([...keys].sort());
  for (const s of Object.values(shares)) {
    expect(s.gte(0)).toBe(true);
    expect(s.lte(1)).toBe(true);
    expect(s.decimalPlaces()).toBeLessThanOrEqual(18);
  }
  const t = total(shares);
  expect(t.eq(1) || Object.values(shares).every((s) => s.isZero())).toBe(true);
}

describe("normalise / sharesFromPriceEma", () => {
  it("m_i / Σm, summing to exactly 1, leftover to the largest", () => {
    const s = sharesFromPriceEma(rec({ 1: "0.3", 2: "0.6" }));
    expect(str(s)).toEqual({ 1: "0.333333333333333333", 2: "0.666666666666666667" });
    expect(total(s).eq(1)).toBe(true);
    expect(str(sharesFromPriceEma(rec({ 3: "0.25", 7: "0.75" })))).toEqual({ 3: "0.25", 7: "0.75" });
  });

  it("ties go to the first netuid in numeric order, whatever the insertion order", () => {
    const s = normalise(rec({ 10: 1, 2: 1, 1: 1 }));
    expect(str(s)).toEqual({ 1: "0.333333333333333334", 2: "0.333333333333333333", 10: "0.333333333333333333" });
    const t = normalise({ b: dec(1), a: dec(1), 9: dec(1) });
    expect(t["9"].toString()).toBe("0.333333333333333334");
  });

  it("all zero → all zero; empty → empty; negative → error", () => {
    expect(str(normalise(rec({ 1: 0, 2: 0 })))).toEqual({ 1: "0", 2: "0" });
    expect(normalise({})).toEqual({});
    expect(str(normalise(rec({ 1: 0, 2: "0.5" })))).toEqual({ 1: "0", 2: "1" });
    expect(() => normalise(rec({ 1: -1, 2: 2 }))).toThrow(RangeError);
  });

  it("property: ≥ 0, sum exactly 1 or all zero, each within n·1e-18 of w/W", () => {
    fc.assert(
      fc.property(weightsArb(raoAmount), (w) => {
        const s = normalise(w);
        const keys = Object.keys(w);
        expectValidShares(s, keys);
        const W = total(w);
        expect(total(s).isZero()).toBe(W.isZero());
        if (!W.isZero()) {
          for (const k of keys) {
            expect(s[k].minus(w[k].div(W)).abs().lte(dec("1e-18").times(keys.length))).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("sharesFromFlow", () => {
  it("non-positive flow gets 0 with the default cutoff", () => {
    const s = sharesFromFlow(rec({ 1: 5, 2: -3, 3: 0, 4: 15 }));
    expect(str(s)).toEqual({ 1: "0.25", 2: "0", 3: "0", 4: "0.75" });
  });

  it("all flows ≤ 0 → all shares 0", () => {
    expect(str(sharesFromFlow(rec({ 1: -5, 2: 0, 3: "-0.000000001" })))).toEqual({ 1: "0", 2: "0", 3: "0" });
    expect(sharesFromFlow({})).toEqual({});
  });

  it("a negative cutoff lifts the floor to max(cutoff, min S)", () => {
    // L = max(−10, −3) = −3 → z = 8, 0, 3, 18 (Σ 29)
    const a = sharesFromFlow(rec({ 1: 5, 2: -3, 3: 0, 4: 15 }), dec(-10));
    expect(a["2"].isZero()).toBe(true);
    expect(a["1"].minus(dec(8).div(29)).abs().lt("1e-17")).toBe(true);
    expect(a["4"].minus(dec(18).div(29)).abs().lt("1e-17")).toBe(true);
    // L = max(−1, −3) = −1 → z = 6, 0, 1, 16 (Σ 23)
    const b = sharesFromFlow(rec({ 1: 5, 2: -3, 3: 0, 4: 15 }), -1);
    expect(b["2"].isZero()).toBe(true);
    expect(b["3"].minus(dec(1).div(23)).abs().lt("1e-17")).toBe(true);
    expect(total(a).eq(1) && total(b).eq(1)).toBe(true);
  });

  it("a positive cutoff removes flows below it; exponent p sharpens", () => {
    expect(str(sharesFromFlow(rec({ 1: 5, 2: 3, 3: 15 }), 3))).toEqual({ 1: "0.142857142857142857", 2: "0", 3: "0.857142857142857143" });
    expect(str(sharesFromFlow(rec({ 1: 1, 2: 3 }), 0, 2))).toEqual({ 1: "0.1", 2: "0.9" });
    expect(() => sharesFromFlow(rec({ 1: 1 }), 0, -1)).toThrow(RangeError);
  });

  it("property: ≥ 0, sum to 1 or all zero; S ≤ 0 → 0 with cutoff 0", () => {
    fc.assert(
      fc.property(weightsArb(signedRaoAmount), (flow) => {
        const s = sharesFromFlow(flow);
        expectValidShares(s, Object.keys(flow));
        for (const k of Object.keys(flow)) if (flow[k].lte(0)) expect(s[k].isZero()).toBe(true);
        const anyPositive = Object.values(flow).some((x) => x.gt(0));
        expect(total(s).eq(1)).toBe(anyPositive);
      }),
      { numRuns: 300 },
    );
  });

  it("property: any cutoff ≤ 0 still gives valid shares", () => {
    fc.assert(
      fc.property(weightsArb(signedRaoAmount), raoAmount, (flow, c) => {
        expectValidShares(sharesFromFlow(flow, c.neg()), Object.keys(flow));
      }),
      { numRuns: 200 },
    );
  });
});

describe("splitByShares", () => {
  it("parts sum to exactly the total; the extra rao go to the largest remainders", () => {
    const thirds = normalise(rec({ 1: 1, 2: 1, 3: 1 }));
    expect(str(splitByShares(dec(1), thirds))).toEqual({ 1: "0.333333334", 2: "0.333333333", 3: "0.333333333" });
    expect(str(splitByShares(dec("0.00000001"), thirds))).toEqual({ 1: "0.000000004", 2: "0.000000003", 3: "0.000000003" });
    const s = normalise(rec({ 1: 1, 2: 2, 3: 3, 4: 7 }));
    const parts = splitByShares(dec("360.000000007"), s);
    expect(total(parts).toString()).toBe("360.000000007");
    for (const p of Object.values(parts)) expect(isRaoExact(p)).toBe(true);
  });

  it("zero shares → zero parts; bad inputs throw", () => {
    expect(str(splitByShares(dec(5), rec({ 1: 0, 2: 0 })))).toEqual({ 1: "0", 2: "0" });
    expect(str(splitByShares(dec(0), rec({ 1: "0.5", 2: "0.5" })))).toEqual({ 1: "0", 2: "0" });
    expect(() => splitByShares(dec(5), rec({ 1: "0.5", 2: "0.4" }))).toThrow(RangeError);
    expect(() => splitByShares(dec("0.0000000001"), rec({ 1: 1 }))).toThrow(RangeError);
    expect(() => splitByShares(dec(-1), rec({ 1: 1 }))).toThrow(RangeError);
  });

  it("property: exact sum, rao-exact parts, each within 1 rao of total·share", () => {
    fc.assert(
      fc.property(raoAmount, weightsArb(raoAmount), (t, w) => {
        const shares = normalise(w);
        const parts = splitByShares(t, shares);
        expect(Object.keys(parts).sort()).toEqual(Object.keys(w).sort());
        const allZero = Object.values(shares).every((s) => s.isZero());
        expect(total(parts).eq(allZero ? 0 : t)).toBe(true);
        for (const k of Object.keys(parts)) {
          expect(parts[k].gte(0)).toBe(true);
          expect(isRaoExact(parts[k])).toBe(true);
          expect(parts[k].minus(t.times(shares[k])).abs().lt(RAO)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
