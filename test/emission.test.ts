import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BASE_BLOCK_EMISSION_TAO, CHAIN_FLOW_EMA_PER_BLOCK, CHAIN_PRICE_EMA_PER_BLOCK, TOTAL_SUPPLY_TAO,
} from "../shared/constants.js";
import { Decimal, RAO, dec, isRaoExact, type Dec } from "../shared/decimal.js";
import {
  alphaBlockEmission, alphaEmissionOverBlocks, blockEmission, emissionOverBlocks, halvingsPassed,
} from "../shared/emission.js";
import {
  effectivePriceEmaRate, emaRateForBlocks, rateForHalfLife, updateFlowEma, updatePriceEma,
} from "../shared/ema.js";

const CAP = dec(TOTAL_SUPPLY_TAO);
const BASE = dec(BASE_BLOCK_EMISSION_TAO);
const tao = (x: string | number) => dec(x);
const e = (i: string | number) => blockEmission(tao(i), CAP, BASE).toString();

/** Reference: price each block from the issuance before it, one block at a time. */
function naive(issuance: Dec, blocks: number, cap: Dec, base: Dec): Dec {
  let I = issuance;
  for (let b = 0; b < blocks; b++) I = I.plus(blockEmission(I, cap, base));
  return I.minus(issuance);
}

describe("blockEmission", () => {
  it("1 TAO per block below the first halving, halving at each threshold", () => {
    expect(e(0)).toBe("1");
    expect(e("8400000")).toBe("1");
    expect(e("10499999.999999999")).toBe("1");
    expect(e("10500000")).toBe("0.5");
    expect(e("10500000.000000001")).toBe("0.5");
    expect(e("15749999.999999999")).toBe("0.5");
    expect(e("15750000")).toBe("0.25");
    expect(e("18374999.999999999")).toBe("0.25");
    expect(e("18375000")).toBe("0.125");
    expect(e("19687500")).toBe("0.0625");
  });

  it("is 0 at and above the cap, and once the halved rate is below one rao", () => {
    expect(e("21000000")).toBe("0");
    expect(e("22000000")).toBe("0");
    expect(e("20999999.999999999")).toBe("0");
    // k = 29: 1/2^29 TAO = 1.86 rao → 1 rao; k = 30 → 0.93 rao → 0.
    const t29 = CAP.minus(CAP.div(2 ** 29));
    const t30 = CAP.minus(CAP.div(2 ** 30));
    expect(blockEmission(t29, CAP, BASE).toString()).toBe("0.000000001");
    expect(blockEmission(t30.minus(RAO), CAP, BASE).toString()).toBe("0.000000001");
    expect(blockEmission(t30, CAP, BASE).toString()).toBe("0");
  });

  it("counts halvings without floating log", () => {
    expect(halvingsPassed("10499999.999999999", CAP)).toBe(0);
    expect(halvingsPassed("10500000", CAP)).toBe(1);
    expect(halvingsPassed("15750000", CAP)).toBe(2);
    expect(halvingsPassed("18374999", CAP)).toBe(2);
    expect(halvingsPassed("21000000", CAP)).toBe(Infinity);
  });

  it("works at game scale and never emits past the cap", () => {
    const cap = tao(1000);
    expect(blockEmission(tao(499), cap, BASE).toString()).toBe("1");
    expect(blockEmission(tao(500), cap, BASE).toString()).toBe("0.5");
    expect(blockEmission(tao(750), cap, BASE).toString()).toBe("0.25");
    // A base larger than the room under the cap is clamped to that room.
    expect(blockEmission(tao(0), tao(1), tao(2)).toString()).toBe("1");
    expect(blockEmission(tao("0.9"), tao(1), tao(8)).toString()).toBe("0.1");
  });

  it("rejects nonsense parameters", () => {
    expect(() => blockEmission(tao(0), tao(0), BASE)).toThrow(RangeError);
    expect(() => blockEmission(tao(0), CAP, tao(-1))).toThrow(RangeError);
  });
});

describe("emissionOverBlocks", () => {
  it("a 360-block window starting 100 TAO below 10.5M emits 100 + 260·0.5 = 230", () => {
    const w = emissionOverBlocks(tao("10499900"), 360, CAP, BASE);
    expect(w.total.toString()).toBe("230");
    expect(w.perSegment.map((s) => [s.blocks, s.perBlock.toString()])).toEqual([[100, "1"], [260, "0.5"]]);
  });

  it("a threshold crossed inside a block halves from the next block on", () => {
    // 100.5 TAO below: 101 blocks at 1 (the 101st starts below 10.5M), then 259 at 0.5.
    const w = emissionOverBlocks(tao("10499899.5"), 360, CAP, BASE);
    expect(w.total.toString()).toBe("230.5");
    expect(w.perSegment.map((s) => s.blocks)).toEqual([101, 259]);
  });

  it("matches the block-by-block loop", () => {
    for (const start of ["0", "10499640", "10499999.999999999", "10500000", "15749800.3", "20999999.9"]) {
      const w = emissionOverBlocks(tao(start), 360, CAP, BASE);
      expect(w.total.toString()).toBe(naive(tao(start), 360, CAP, BASE).toString());
    }
  });

  it("zero blocks emit nothing; a window past the cap ends in a zero-rate segment", () => {
    expect(emissionOverBlocks(tao(5), 0, CAP, BASE)).toEqual({ total: dec(0), perSegment: [] });
    const w = emissionOverBlocks(tao(0), 10, tao(1), tao(2));
    expect(w.total.toString()).toBe("1");
    expect(w.perSegment.map((s) => [s.blocks, s.perBlock.toString()])).toEqual([[1, "1"], [9, "0"]]);
    const full = emissionOverBlocks(tao(21_000_000), 360, CAP, BASE);
    expect(full.total.toString()).toBe("0");
    expect(full.perSegment).toHaveLength(1);
  });

  it("216,000 blocks (30 days) in microseconds, not a loop", () => {
    const t0 = performance.now();
    let w = emissionOverBlocks(tao("10400000"), 216_000, CAP, BASE);
    for (let i = 0; i < 999; i++) w = emissionOverBlocks(tao("10400000"), 216_000, CAP, BASE);
    const perCall = (performance.now() - t0) / 1000;
    expect(w.total.toString()).toBe("158000"); // 100,000 at 1 + 116,000 at 0.5
    expect(perCall).toBeLessThan(2); // ms; it is ~tens of µs
    expect(emissionOverBlocks(tao("8400000"), 216_000, CAP, BASE).total.toString()).toBe("216000");
  });

  it("the whole schedule from 0 stays under the cap", () => {
    const w = emissionOverBlocks(tao(0), 1_000_000_000, CAP, BASE);
    expect(w.total.lte(CAP)).toBe(true);
    expect(w.total.gt(tao("20999990"))).toBe(true);
    expect(w.perSegment.length).toBeLessThanOrEqual(32);
    expect(w.perSegment.reduce((n, s) => n + s.blocks, 0)).toBe(1_000_000_000);
    expect(w.perSegment.at(-1)!.perBlock.isZero()).toBe(true);
  });

  it("property: equals the per-block loop, segments add up, never past the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }), // cap in TAO (game scale → several halvings per window)
        fc.integer({ min: 0, max: 1_000_000 }), // issuance as a fraction of the cap, in ppm
        fc.integer({ min: 0, max: 3_000 }),
        fc.constantFrom("1", "0.5", "3", "0.000000007"),
        (capTao, ppm, blocks, baseStr) => {
          const cap = tao(capTao);
          const base = tao(baseStr);
          const start = cap.times(ppm).div(1_000_000).toDecimalPlaces(9, Decimal.ROUND_DOWN);
          const w = emissionOverBlocks(start, blocks, cap, base);
          expect(w.total.toString()).toBe(naive(start, blocks, cap, base).toString());
          expect(w.perSegment.reduce((n, s) => n + s.blocks, 0)).toBe(blocks);
          const segTotal = w.perSegment.reduce((acc, s) => acc.plus(s.perBlock.times(s.blocks)), dec(0));
          expect(segTotal.eq(w.total)).toBe(true);
          expect(w.total.gte(0)).toBe(true);
          expect(isRaoExact(w.total)).toBe(true);
          if (start.lt(cap)) expect(start.plus(w.total).lte(cap)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("alpha emission", () => {
  it("1 alpha per block until 10.5M alpha, then 0.5", () => {
    expect(alphaBlockEmission(0).toString()).toBe("1");
    expect(alphaBlockEmission("10500000").toString()).toBe("0.5");
    expect(alphaEmissionOverBlocks(dec(0), 360).total.toString()).toBe("360");
    expect(alphaEmissionOverBlocks(dec("10500000"), 360).total.toString()).toBe("180");
    expect(alphaEmissionOverBlocks(dec("10499900"), 360).total.toString()).toBe("230");
  });
});

describe("EMA rates", () => {
  it("per-round rate of N per-block steps", () => {
    const price = emaRateForBlocks(CHAIN_PRICE_EMA_PER_BLOCK, 360);
    expect(price).toBeCloseTo(1.0794e-3, 7);
    expect(Math.abs(price - (1 - Math.pow(1 - CHAIN_PRICE_EMA_PER_BLOCK, 360))) / price).toBeLessThan(1e-9);
    expect(emaRateForBlocks(CHAIN_FLOW_EMA_PER_BLOCK, 360)).toBeCloseTo(1.1546e-3, 7);
    // FlowEmaSmoothingFactor halves in 216,000 blocks.
    expect(emaRateForBlocks(CHAIN_FLOW_EMA_PER_BLOCK, 216_000)).toBeCloseTo(0.5, 3);
    expect(emaRateForBlocks(0.3, 0)).toBe(0);
    expect(emaRateForBlocks(0.3, 1)).toBeCloseTo(0.3, 15);
    expect(emaRateForBlocks(1, 5)).toBe(1);
  });

  it("rate for a half-life", () => {
    for (const h of [1, 4, 5, 20, 640]) expect(Math.pow(1 - rateForHalfLife(h), h)).toBeCloseTo(0.5, 12);
    expect(rateForHalfLife(1)).toBeCloseTo(0.5, 15);
    expect(() => rateForHalfLife(0)).toThrow(RangeError);
  });

  it("effective price-EMA rate slows new subnets (a·b/(b+H))", () => {
    expect(effectivePriceEmaRate(0.1, 0, 3.5)).toBe(0);
    expect(effectivePriceEmaRate(0.1, 3.5, 3.5)).toBeCloseTo(0.05, 15);
    expect(effectivePriceEmaRate(0.1, 35, 3.5)).toBeCloseTo(0.1 * 35 / 38.5, 15);
    expect(effectivePriceEmaRate(0.1, 0, 0)).toBe(0.1);
    expect(effectivePriceEmaRate(0.1, 7, -1)).toBe(0.1);
  });
});

describe("price EMA", () => {
  const cap = dec(1);

  it("one round step equals 360 per-block steps at a constant price (within 1e-12 relative)", () => {
    const a = dec(CHAIN_PRICE_EMA_PER_BLOCK);
    for (const [m0, p] of [["0.2", "0.5"], ["0.9", "0.01"], ["0.05", "3"], ["0", "0.5"], ["0.001", "0.000123"]] as const) {
      let stepped = dec(m0); // chain-like: 360 block steps, each stored at 1e-18
      let exact = dec(m0); // the same without storage rounding
      for (let b = 0; b < 360; b++) {
        stepped = updatePriceEma(stepped, dec(p), CHAIN_PRICE_EMA_PER_BLOCK, cap);
        exact = exact.times(dec(1).minus(a)).plus(a.times(Decimal.min(p, cap)));
      }
      const round = updatePriceEma(dec(m0), dec(p), emaRateForBlocks(CHAIN_PRICE_EMA_PER_BLOCK, 360), cap);
      expect(round.minus(stepped).abs().div(stepped).lt("1e-12")).toBe(true);
      expect(round.minus(exact).abs().div(exact).lt("1e-12")).toBe(true);
      // 360 truncations at 1e-18 lose at most 360e-18.
      expect(exact.minus(stepped).gte(0) && exact.minus(stepped).lte("3.6e-16")).toBe(true);
    }
  });

  it("for tiny EMAs the 1e-18 storage grid, not the closed form, limits agreement", () => {
    let stepped = dec(0);
    for (let b = 0; b < 360; b++) stepped = updatePriceEma(stepped, dec("0.000123"), CHAIN_PRICE_EMA_PER_BLOCK, cap);
    const round = updatePriceEma(dec(0), dec("0.000123"), emaRateForBlocks(CHAIN_PRICE_EMA_PER_BLOCK, 360), cap);
    expect(round.minus(stepped).abs().lte("3.6e-16")).toBe(true);
  });

  it("feeds min(price, cap), quantised to 1e-18 toward zero", () => {
    expect(updatePriceEma(dec("0.5"), dec(3), 0.5, cap).toString()).toBe("0.75");
    expect(updatePriceEma(dec("0.5"), dec("0.1"), 0.5, cap).toString()).toBe("0.3");
    expect(updatePriceEma(dec(0), dec(1), dec(1).div(3), cap).toString()).toBe("0.333333333333333333");
    const m = updatePriceEma(dec("0.123456789"), dec("0.987654321"), 0.0010794, cap);
    expect(m.decimalPlaces()).toBeLessThanOrEqual(18);
    expect(updatePriceEma(dec("0.4"), dec("0.9"), 0, cap).toString()).toBe("0.4");
    expect(() => updatePriceEma(dec("0.4"), dec("0.9"), 1.5, cap)).toThrow(RangeError);
  });

  it("converges geometrically to the price", () => {
    let m = dec(0);
    const a = rateForHalfLife(4);
    for (let r = 0; r < 4; r++) m = updatePriceEma(m, dec("0.8"), a, cap);
    expect(m.minus("0.4").abs().lt("1e-15")).toBe(true);
  });
});

describe("flow EMA", () => {
  it("(1−β)·S + β·flow, flow may be negative", () => {
    expect(updateFlowEma(dec(0), dec(-100), 0.5).toString()).toBe("-50");
    expect(updateFlowEma(dec(10), dec(-100), 0.25).toString()).toBe("-17.5");
    expect(updateFlowEma(dec(10), dec(0), 0.1).toString()).toBe("9");
    // Rounded toward zero at 1e-18 on both signs.
    expect(updateFlowEma(dec(0), dec(-1), dec(1).div(3)).toString()).toBe("-0.333333333333333333");
  });

  it("one round step equals 360 per-block steps at a constant flow", () => {
    let perBlock = dec("-25.5");
    const flow = dec("1234.567891234");
    for (let b = 0; b < 360; b++) perBlock = updateFlowEma(perBlock, flow, CHAIN_FLOW_EMA_PER_BLOCK);
    const round = updateFlowEma(dec("-25.5"), flow, emaRateForBlocks(CHAIN_FLOW_EMA_PER_BLOCK, 360));
    expect(round.minus(perBlock).abs().div(perBlock.abs()).lt("1e-12")).toBe(true);
  });
});
