import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Decimal, RAO, dec, floorRao } from "../shared/decimal.js";
import type { Result } from "../shared/errors.js";
import {
  DEFAULT_SWAP_PARAMS,
  liquidationValue,
  maxAlphaInForPrice,
  maxTaoInForPrice,
  quoteStake,
  quoteUnstake,
  spotPrice,
  swapAlphaForTao,
  swapTaoForAlpha,
  type PoolReserves,
  type SwapParams,
  type SwapQuote,
} from "../shared/pool.js";

const pool = (t: string, a: string): PoolReserves => ({ taoReserve: t, alphaReserve: a });
const FEE: SwapParams = { fee: dec("0.0005"), minReserve: dec("0.01") };
const NOFEE: SwapParams = { fee: dec(0), minReserve: dec("0.01") };
const P100 = pool("100", "1000");

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}
const code = (r: Result<unknown>): string => (r.ok ? "ok" : r.error.code);
const json = (q: SwapQuote) => JSON.stringify(q);
const res = (p: PoolReserves) => ({ T: dec(p.taoReserve), A: dec(p.alphaReserve) });

describe("golden values", () => {
  it("stake 10 TAO into 100/1000 with fee 0.0005", () => {
    // fee = ceil(10·0.0005) = 0.005; net = 9.995
    // α_out = floor(1000·9.995/109.995) = floor(90.8677667166689...) = 90.867766716
    // T' = 100 + 10 = 110 (fee stays in); A' = 1000 − 90.867766716 = 909.132233284
    const q = value(quoteStake(P100, dec(10), FEE));
    expect(q.fee.toString()).toBe("0.005");
    expect(q.amountOut.toString()).toBe("90.867766716");
    expect(q.pool).toEqual(pool("110", "909.132233284"));
    expect(q.priceBefore.toString()).toBe("0.1");
    // 110/909.132233284 = 0.12099449999991097224690006550662073093180..., truncated to 40 digits
    expect(q.priceAfter.toString()).toBe("0.1209944999999109722469000655066207309318");
    // avg price = 10/90.867766716 = 0.11005002501331640628...; slippage = 1 − 0.1/avg = 1 − 0.90867766716
    expect(q.avgPrice.toFixed(12)).toBe("0.110050025013");
    expect(q.slippage.toFixed(9)).toBe("0.091322332");
    expect(q.priceImpact.toFixed(9)).toBe("0.209944999");
    expect(q.partial).toBe(false);
    expect(q.amountIn.eq(q.requested)).toBe(true);
  });

  it("unstake 100 alpha from 100/1000 with fee 0.0005", () => {
    // fee = ceil(100·0.0005) = 0.05; net = 99.95
    // τ_out = floor(100·99.95/1099.95) = floor(9.0867766716...) = 9.086776671
    // A' = 1000 + 100 = 1100; T' = 100 − 9.086776671 = 90.913223329
    const q = value(quoteUnstake(P100, dec(100), FEE));
    expect(q.fee.toString()).toBe("0.05");
    expect(q.amountOut.toString()).toBe("9.086776671");
    expect(q.pool).toEqual(pool("90.913223329", "1100"));
    expect(q.avgPrice.toString()).toBe("0.09086776671"); // 9.086776671/100
  });

  it("zero-fee stake is A·τ/(T+τ) floored", () => {
    // floor(1000·10/110) = floor(90.909090909090...) = 90.909090909
    const q = value(quoteStake(P100, dec(10), NOFEE));
    expect(q.fee.isZero()).toBe(true);
    expect(q.amountOut.toString()).toBe("90.909090909");
    expect(q.pool).toEqual(pool("110", "909.090909091"));
  });

  it("spot price is T/A", () => {
    expect(spotPrice(P100).toString()).toBe("0.1");
    expect(spotPrice(pool("1", "3")).toString()).toBe("0.3333333333333333333333333333333333333333");
  });
});

describe("rejections", () => {
  it("bad amounts give typed errors, no throw", () => {
    for (const f of [quoteStake, quoteUnstake]) {
      expect(code(f(P100, dec(0), FEE))).toBe("amount/not_positive");
      expect(code(f(P100, dec(-1), FEE))).toBe("amount/not_positive");
      expect(code(f(P100, dec("1e-10"), FEE))).toBe("amount/too_precise");
      expect(code(f(P100, dec("1.0000000001"), FEE))).toBe("amount/too_precise");
      expect(code(f(P100, new Decimal(NaN), FEE))).toBe("amount/invalid");
      expect(code(f(P100, new Decimal(Infinity), FEE))).toBe("amount/invalid");
    }
  });

  it("an output of 0 is below_minimum", () => {
    // 1 rao into a pool with price 5e8: α_out = floor(0.02·1e-9/1e7) = 0
    expect(code(quoteStake(pool("10000000", "0.02"), RAO, NOFEE))).toBe("amount/below_minimum");
    // fee eats it all: ceil(1e-9·0.0005) = 1 rao, net 0
    expect(code(quoteStake(P100, RAO, FEE))).toBe("amount/below_minimum");
    expect(code(quoteUnstake(pool("0.02", "10000000"), RAO, NOFEE))).toBe("amount/below_minimum");
  });

  it("reserve floor: the exact fill leaving minReserve passes, one rao more is refused", () => {
    // 100/1000, no fee, τ = 9,999,900: α_out = 1000·9999900/10000000 = 999.99 exactly, A' = 0.01.
    expect(value(quoteStake(P100, dec(9_999_900), NOFEE)).pool.alphaReserve).toBe("0.01");
    // A steep pool where one more rao of input moves the output by rao: T 0.2, A 2, floor 1.
    // fee 0.0005, τ = 0.200100051: fee = ceil(0.0001000500255) = 0.000100051, net = 0.2,
    // α_out = 2·0.2/0.4 = 1 exactly → A' = 1 (= floor) passes.
    const p = pool("0.2", "2");
    const floor1: SwapParams = { fee: dec("0.0005"), minReserve: dec(1) };
    expect(value(quoteStake(p, dec("0.200100051"), floor1)).pool).toEqual(pool("0.400100051", "1"));
    // τ + 1 rao: fee 0.000100051, net 0.200000001, α_out = floor(0.400000002/0.400000001) = 1.000000002 → refused
    expect(code(quoteStake(p, dec("0.200100052"), floor1))).toBe("pool/reserve_floor");
    // The mirror for an unstake against the TAO reserve.
    const q = pool("2", "0.2");
    expect(value(quoteUnstake(q, dec("0.200100051"), floor1)).pool).toEqual(pool("1", "0.400100051"));
    expect(code(quoteUnstake(q, dec("0.200100052"), floor1))).toBe("pool/reserve_floor");
  });
});

describe("limit orders", () => {
  it("fill-or-kill and partial fills against a limit (100/1000)", () => {
    // 10 TAO ends at 0.1209944999... ≤ 0.121
    expect(value(quoteStake(P100, dec(10), FEE, { limitPrice: dec("0.121"), allowPartial: false })).partial).toBe(false);
    expect(code(quoteStake(P100, dec(10), FEE, { limitPrice: dec("0.12"), allowPartial: false }))).toBe("pool/limit_price");
    // Exact max buy to 0.12 with fee 0.0005 (brute-forced with rationals): 9.546898252 TAO;
    // the closed form sqrt(T²f² + 4(1−f)LAT) − (2−f)T over 2(1−f) gives 9.5468982515...
    expect(maxTaoInForPrice(P100, dec("0.12"), FEE.fee).toString()).toBe("9.546898252");
    // zero fee: sqrt(L·A·T) − T = sqrt(12000) − 100 = 9.5445115010...; exact max 9.544511501
    expect(maxTaoInForPrice(P100, dec("0.12"), dec(0)).toString()).toBe("9.544511501");
    const part = value(quoteStake(P100, dec(10), FEE, { limitPrice: dec("0.12"), allowPartial: true }));
    expect(part.partial).toBe(true);
    expect(part.amountIn.toString()).toBe("9.546898252");
    expect(part.requested.toString()).toBe("10");
    expect(part.amountOut.toString()).toBe("87.109181232");
    expect(part.priceAfter.lte("0.12")).toBe(true);
    // Sell to 0.08: zero fee gives sqrt(T·A/L) − A = sqrt(1,250,000) − 1000 = 118.0339887...;
    // the exact max is 118.03398875 (priceAfter exactly 0.08), and 118.063505019 with the fee.
    expect(maxAlphaInForPrice(P100, dec("0.08"), dec(0)).toString()).toBe("118.03398875");
    expect(value(quoteUnstake(P100, dec("118.03398875"), NOFEE)).priceAfter.toString()).toBe("0.08");
    expect(maxAlphaInForPrice(P100, dec("0.08"), FEE.fee).toString()).toBe("118.063505019");
  });

  it("a limit already crossed fills nothing", () => {
    expect(maxTaoInForPrice(P100, dec("0.09"), FEE.fee).isZero()).toBe(true);
    expect(maxTaoInForPrice(P100, dec("0.1"), FEE.fee).isZero()).toBe(true);
    expect(maxAlphaInForPrice(P100, dec("0.11"), FEE.fee).isZero()).toBe(true);
    expect(code(quoteStake(P100, dec(1), FEE, { limitPrice: dec("0.09"), allowPartial: true }))).toBe("pool/limit_price");
    expect(code(quoteUnstake(P100, dec(1), FEE, { limitPrice: dec("0.11"), allowPartial: true }))).toBe("pool/limit_price");
    expect(code(quoteStake(P100, dec(1), FEE, { limitPrice: dec(0), allowPartial: true }))).toBe("amount/not_positive");
  });
});

describe("liquidationValue", () => {
  it("values a sale, capped by the reserve floor", () => {
    expect(liquidationValue(P100, dec(0), FEE).isZero()).toBe(true);
    expect(liquidationValue(P100, dec(100), FEE).toString()).toBe("9.086776671");
    // Selling 1e12 alpha would empty the TAO reserve below 0.01. The largest sale that keeps
    // the floor (brute-forced with rationals) is 10,004,003.001500851 alpha → exactly 99.99 TAO;
    // one rao more would pay 99.990000001 and is refused. The rest is valued at 0.
    expect(value(quoteUnstake(P100, dec("10004003.001500851"), FEE)).pool.taoReserve).toBe("0.01");
    expect(code(quoteUnstake(P100, dec("10004003.001500852"), FEE))).toBe("pool/reserve_floor");
    expect(liquidationValue(P100, dec("1e12"), FEE).toString()).toBe("99.99");
    expect(liquidationValue(pool("0.01", "5"), dec(1), FEE).isZero()).toBe(true);
  });
});

// ---- properties -------------------------------------------------------------------------

/** Log-uniform whole-rao amount in [lo, hi] rao. */
const raoAmount = (lo: bigint, hi: bigint) =>
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.bigInt(0n, 999n)).map(([u, j]) => {
    const span = Math.log(Number(hi)) - Math.log(Number(lo));
    let r = BigInt(Math.floor(Math.exp(Math.log(Number(lo)) + u * span))) + j;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return new Decimal(`${r}e-9`);
  });
const reserve = raoAmount(20_000_000n, 10n ** 16n); // 0.02 .. 1e7
const anyPool = fc.tuple(reserve, reserve).map(([t, a]) => pool(t.toString(), a.toString()));
const amount = raoAmount(1n, 10n ** 17n); // 1 rao .. 1e8
const feeArb = fc.constantFrom(dec(0), dec("0.0005"), dec("0.003"), dec("0.1526"));
const params = feeArb.map((fee): SwapParams => ({ fee, minReserve: dec("0.01") }));
const ok = <T>(r: Result<T>): r is { ok: true; value: T } => r.ok;

describe("properties", () => {
  it("quote equals swap, k never falls, price moves the right way", () => {
    fc.assert(
      fc.property(anyPool, amount, params, fc.boolean(), (p, x, prm, buy) => {
        const q = buy ? quoteStake(p, x, prm) : quoteUnstake(p, x, prm);
        const s = buy ? swapTaoForAlpha(p, x, prm) : swapAlphaForTao(p, x, prm);
        expect(JSON.stringify(s)).toBe(JSON.stringify(q));
        if (!ok(q)) return;
        const v = q.value;
        const { T, A } = res(p);
        const { T: T2, A: A2 } = res(v.pool);
        const k = T.times(A);
        const k2 = T2.times(A2);
        if (prm.fee.gt(0)) expect(k2.gt(k)).toBe(true);
        else expect(k2.gte(k)).toBe(true);
        expect(buy ? v.priceAfter.gt(v.priceBefore) : v.priceAfter.lt(v.priceBefore)).toBe(true);
        expect(buy ? A2.gte("0.01") : T2.gte("0.01")).toBe(true);
        expect(v.slippage.gte(0) && v.slippage.lt(1)).toBe(true);
        expect(v.amountOut.gt(0)).toBe(true);
        expect(buy ? T2.eq(T.plus(x)) && A2.eq(A.minus(v.amountOut)) : A2.eq(A.plus(x)) && T2.eq(T.minus(v.amountOut))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("zero-fee stake matches floor(A·τ/(T+τ))", () => {
    fc.assert(
      fc.property(anyPool, amount, (p, x) => {
        const q = quoteStake(p, x, { fee: dec(0), minReserve: dec(0) });
        const { T, A } = res(p);
        const expected = floorRao(A.times(x).div(T.plus(x)));
        if (expected.isZero()) expect(code(q)).toBe("amount/below_minimum");
        else expect(value(q).amountOut.toString()).toBe(expected.toString());
      }),
    );
  });

  it("stake then unstake never returns more than was put in", () => {
    fc.assert(
      fc.property(anyPool, amount, params, (p, x, prm) => {
        const s = quoteStake(p, x, prm);
        if (!ok(s)) return;
        const u = quoteUnstake(s.value.pool, s.value.amountOut, prm);
        if (ok(u)) expect(u.value.amountOut.lte(x)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("maxTaoInForPrice: fills within the limit, one rao more crosses it", () => {
    fc.assert(
      fc.property(anyPool, fc.double({ min: 1e-6, max: 1, noNaN: true }), params, (p, u, prm) => {
        const L = spotPrice(p).times(1 + u).toSignificantDigits(12);
        const m = maxTaoInForPrice(p, L, prm.fee);
        const fok = { limitPrice: L, allowPartial: false };
        if (m.gt(0)) {
          const q = quoteStake(p, m, prm, fok);
          if (q.ok) expect(q.value.priceAfter.lte(L)).toBe(true);
          else expect(q.error.code).toBe("amount/below_minimum");
        }
        const over = m.plus(RAO);
        const free = quoteStake(p, over, prm);
        if (free.ok) {
          expect(free.value.priceAfter.gt(L)).toBe(true);
          expect(code(quoteStake(p, over, prm, fok))).toBe("pool/limit_price");
          const part = quoteStake(p, over.times(3), prm, { limitPrice: L, allowPartial: true });
          if (m.isZero()) expect(code(part)).toBe("pool/limit_price");
          else if (part.ok) expect(part.value.partial && part.value.amountIn.eq(m)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("maxAlphaInForPrice: fills within the limit, one rao more crosses it", () => {
    fc.assert(
      fc.property(anyPool, fc.double({ min: 1e-6, max: 0.9, noNaN: true }), params, (p, u, prm) => {
        const L = spotPrice(p).times(1 - u).toSignificantDigits(12);
        const m = maxAlphaInForPrice(p, L, prm.fee);
        const fok = { limitPrice: L, allowPartial: false };
        if (m.gt(0)) {
          const q = quoteUnstake(p, m, prm, fok);
          if (q.ok) expect(q.value.priceAfter.gte(L)).toBe(true);
          else expect(["amount/below_minimum", "pool/reserve_floor"]).toContain(q.error.code);
        }
        const over = m.plus(RAO);
        const free = quoteUnstake(p, over, prm);
        if (free.ok) {
          expect(free.value.priceAfter.lt(L)).toBe(true);
          expect(code(quoteUnstake(p, over, prm, fok))).toBe("pool/limit_price");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("liquidationValue keeps the floor and never falls as the amount grows", () => {
    fc.assert(
      fc.property(anyPool, amount, amount, params, (p, x, y, prm) => {
        const [lo, hi] = x.lte(y) ? [x, y] : [y, x];
        const vLo = liquidationValue(p, lo, prm);
        const vHi = liquidationValue(p, hi, prm);
        const { T } = res(p);
        expect(vLo.lte(vHi)).toBe(true);
        expect(vHi.lte(T.minus(prm.minReserve))).toBe(true);
        const q = quoteUnstake(p, hi, prm);
        if (q.ok) expect(vHi.eq(q.value.amountOut)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// Keep the default params honest against the constants.
it("DEFAULT_SWAP_PARAMS", () => {
  expect(DEFAULT_SWAP_PARAMS.fee.toString()).toBe("0.0005");
  expect(DEFAULT_SWAP_PARAMS.minReserve.toString()).toBe("0.01");
});
