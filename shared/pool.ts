/**
 * The subnet pool: plain constant product T·A with a fee on the input that stays in the
 * reserves (spec §4 and "Simplifications": no ticks, no concentrated liquidity).
 *
 * Pure functions over `{ taoReserve, alphaReserve }` (canonical amount strings). Every swap,
 * preview or execution, runs through `quote` below, so a preview can never disagree with
 * the fill. Rounding always favours the pool: the fee is rounded up, the output down, so
 * k = T·A never falls on a swap.
 *
 * Swap arithmetic is exact: each quantisation below is exactly the stated floor or ceiling. A leg
 * whose products fit 40 digits (every swap of amounts up to 21M with 9 decimals) computes them in
 * the plain 40-digit context, where they are then exact; anything longer, and the limit-price
 * maths, runs in a private 120-digit clone (products up to 17 + 40 digits are exact there).
 * Everything returned is a plain `Decimal`.
 */
import { Decimal, ONE, RAO, ZERO, amt, amtKept, ceilRao, dec, floorRao, floorRaoDiv, isRaoExact, type Dec } from "./decimal.js";
import { err, ok, type Result } from "./errors.js";
import { MIN_POOL_RESERVE, POOL_FEE } from "./constants.js";

export interface PoolReserves {
  readonly taoReserve: string;
  readonly alphaReserve: string;
}

/** `fee` is a fraction of the input in [0, 1) (0 for emission-side swaps); `minReserve` is the floor of the drawn reserve. */
export interface SwapParams {
  fee: Dec;
  minReserve: Dec;
}

/** User swaps: FeeRate 0.05% and the 0.01 reserve floor. */
export const DEFAULT_SWAP_PARAMS: Readonly<SwapParams> = { fee: dec(POOL_FEE), minReserve: dec(MIN_POOL_RESERVE) };
/** Emission and root swaps: no fee (§4, fees are waived), same floor. */
export const EMISSION_SWAP_PARAMS: Readonly<SwapParams> = { fee: ZERO, minReserve: dec(MIN_POOL_RESERVE) };

export interface LimitOrder {
  /** TAO per alpha: a buy must end at or below it, a sell at or above it. */
  limitPrice: Dec;
  /** true: fill only what reaches the limit; false: the whole order or nothing. */
  allowPartial: boolean;
}

export interface SwapQuote {
  /** Gross input actually used (less than `requested` when `partial`). */
  amountIn: Dec;
  requested: Dec;
  /** Fee, in input units, included in `amountIn` and kept by the pool. */
  fee: Dec;
  amountOut: Dec;
  /** TAO per alpha actually paid (stake) or received (unstake): taoSide / alphaSide, gross. */
  avgPrice: Dec;
  priceBefore: Dec;
  priceAfter: Dec;
  /** |priceAfter / priceBefore − 1| */
  priceImpact: Dec;
  /** 1 − amountOut / (output at the spot price), fee included; ≥ 0. */
  slippage: Dec;
  partial: boolean;
  /** Reserves after the swap. */
  pool: PoolReserves;
}

/** Private wide context: exact products, 120-digit quotients (truncated, i.e. rounded down). */
const W = Decimal.clone({ precision: 120, rounding: Decimal.ROUND_DOWN });
const wide = (v: Dec): Dec => new W(v);
/** Back to a plain 40-digit Decimal (copies the digits, no rounding; used on rao-grid values). */
const plain = (v: Dec): Dec => new Decimal(v);
const fromRao = (r: bigint): Dec => new Decimal(`${r}e-9`);
const toRao = (v: Dec): bigint => BigInt(floorRao(v).times(1e9).toFixed(0));

function reserves(pool: PoolReserves): { T: Dec; A: Dec } {
  return { T: dec(pool.taoReserve), A: dec(pool.alphaReserve) };
}

function checkFee(fee: Dec): void {
  if (!(fee.gte(0) && fee.lt(1))) throw new RangeError(`pool fee must be in [0, 1), got ${fee.toString()}`);
}

/** Spot price T/A in TAO per alpha, full precision (rounded down at 40 digits, not quantised). */
export function spotPrice(pool: PoolReserves): Dec {
  const { T, A } = reserves(pool);
  return T.div(A); // display value, truncated at 40 significant digits
}

interface Leg {
  fee: Dec;
  out: Dec;
  inAfter: Dec;
  outAfter: Dec;
}

/**
 * Significant digits a plain 40-digit product may use and stay exact. When both factors' digits
 * fit, the plain context computes exactly what the wide one does: the product is exact, and a
 * quotient below 10^31 truncated at 40 significant digits keeps every digit down to the rao, so
 * flooring it to the rao gives the exact floor. Amounts (≤ 21M, 9 decimals) have ≤ 17 digits, so
 * swaps practically always take the plain path; the wide one remains for anything longer.
 */
const PLAIN_DIGITS = 40;

/** One constant-product leg: `gross` goes into reserve `rIn`, the output comes out of `rOut`. No validation. */
function leg(rIn: Dec, rOut: Dec, gross: Dec, f: Dec): Leg {
  // fee = ceil_rao(gross·f): the product is exact; the fee rounds UP (in favour of the pool). Fee-free swaps pay none.
  const fee = f.isZero() ? ZERO
    : gross.sd() + f.sd() <= PLAIN_DIGITS ? ceilRao(gross.times(f)) : plain(ceilRao(wide(gross).times(f)));
  const net = gross.minus(fee);
  // out = floor_rao(rOut·net / (rIn + net)): rounds DOWN (against the trader), so out < rOut.
  const out = rOut.sd() + net.sd() <= PLAIN_DIGITS ? floorRaoDiv(rOut.times(net), rIn.plus(net))
    : plain(floorRao(wide(rOut).times(net).div(wide(rIn).plus(net))));
  return { fee, out, inAfter: rIn.plus(gross), outAfter: rOut.minus(out) };
}

/** Whether the post-swap reserves respect a limit, compared exactly as T' ≤ L·A' (buy) or T' ≥ L·A' (sell). */
function withinLimit(buy: boolean, tAfter: Dec, aAfter: Dec, limitPrice: Dec): boolean {
  const bound = wide(limitPrice).times(aAfter); // exact product, no division
  return buy ? tAfter.lte(bound) : tAfter.gte(bound);
}

/**
 * The largest whole-rao amount in [0, cap) for which `fits` holds, given that `fits` is
 * monotone (true, then false) and true at 0. Starts from a closed-form estimate, gallops up
 * while it fits (when there is no cap) and bisects, so rounding of the estimate never matters.
 */
function searchMax(fits: (v: Dec) => boolean, estimate: Dec, cap?: bigint): bigint {
  const at = (r: bigint) => fits(fromRao(r));
  let lo = 0n;
  let hi = cap ?? -1n; // -1: no known failing amount yet
  let e = estimate.isFinite() && estimate.gt(0) ? toRao(estimate) : 0n;
  if (hi >= 0n && e >= hi) e = hi - 1n;
  if (e > 0n) {
    if (at(e)) lo = e;
    else hi = e;
  }
  for (let step = 1n; hi < 0n; step *= 2n) {
    if (at(lo + step)) lo += step;
    else hi = lo + step;
  }
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n; // bigint division: floor, any midpoint works for bisection
    if (at(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Largest gross TAO input (whole rao) whose buy leaves priceAfter ≤ limitPrice; 0 if even one
 * rao breaks it (e.g. the spot price is already above the limit). Estimate from
 * (T+τ)(T+τ(1−f)) = L·A·T, i.e. (1−f)τ² + (2−f)Tτ + T² − LAT = 0, then exact simulation.
 */
export function maxTaoInForPrice(pool: PoolReserves, limitPrice: Dec, fee: Dec): Dec {
  checkFee(fee);
  const { T, A } = reserves(pool);
  const fits = (tau: Dec) => withinLimit(true, T.plus(tau), leg(T, A, tau, fee).outAfter, limitPrice);
  if (!limitPrice.gt(0) || !fits(RAO)) return ZERO;
  const g = wide(ONE).minus(fee);
  const t = wide(T);
  const disc = t.times(t).times(fee).times(fee).plus(g.times(4).times(limitPrice).times(A).times(T));
  const est = disc.sqrt().minus(t.times(g.plus(1))).div(g.times(2)); // 120-digit, rounds down; only an estimate
  return fromRao(searchMax(fits, est));
}

/**
 * Largest gross alpha input (whole rao) whose sell leaves priceAfter ≥ limitPrice; 0 if even
 * one rao breaks it; Infinity for a limit ≤ 0 (never binding). Mirror of the buy:
 * (A+a)(A+a(1−f)) = T·A/L.
 */
export function maxAlphaInForPrice(pool: PoolReserves, limitPrice: Dec, fee: Dec): Dec {
  checkFee(fee);
  if (!limitPrice.gt(0)) return new Decimal(Infinity);
  const { T, A } = reserves(pool);
  const fits = (a: Dec) => withinLimit(false, leg(A, T, a, fee).outAfter, A.plus(a), limitPrice);
  if (!fits(RAO)) return ZERO;
  const g = wide(ONE).minus(fee);
  const a = wide(A);
  const ka = wide(T).times(A).div(limitPrice); // 120-digit, rounds down; only an estimate
  const disc = a.times(a).times(fee).times(fee).plus(g.times(4).times(ka));
  const est = disc.sqrt().minus(a.times(g.plus(1))).div(g.times(2)); // 120-digit, rounds down; only an estimate
  return fromRao(searchMax(fits, est));
}

/** A swap's fill without the display figures: what the engine itself needs to execute it. */
export interface SwapFill {
  amountIn: Dec;
  requested: Dec;
  fee: Dec;
  amountOut: Dec;
  partial: boolean;
  /** Reserves after the swap. */
  pool: PoolReserves;
}

interface Filled extends SwapFill {
  T: Dec;
  A: Dec;
  tAfter: Dec;
  aAfter: Dec;
}

/** Validation and the fill of a swap: every check and every amount of `quote`, without its display figures. */
function fill(buy: boolean, pool: PoolReserves, requested: Dec, params: SwapParams, limit?: LimitOrder): Result<Filled> {
  checkFee(params.fee);
  const unit = buy ? "TAO" : "alpha";
  if (!requested.isFinite()) return err("amount/invalid", `${unit} amount must be a finite number`);
  if (!requested.gt(0)) return err("amount/not_positive", `${unit} amount must be positive`);
  if (!isRaoExact(requested)) return err("amount/too_precise", `${unit} amount has more than 9 decimals`);
  if (limit && !limit.limitPrice.gt(0)) return err("amount/not_positive", "limit price must be positive");
  const { T, A } = reserves(pool);

  let gross = requested;
  let partial = false;
  if (limit?.allowPartial) {
    const cap = buy ? maxTaoInForPrice(pool, limit.limitPrice, params.fee) : maxAlphaInForPrice(pool, limit.limitPrice, params.fee);
    if (cap.isZero()) return err("pool/limit_price", `no ${unit} can be swapped within the limit price`);
    if (cap.lt(requested)) {
      gross = cap;
      partial = true;
    }
  }

  const s = buy ? leg(T, A, gross, params.fee) : leg(A, T, gross, params.fee);
  if (!s.out.gt(0)) return err("amount/below_minimum", `${unit} amount too small: the swap would pay out nothing`);
  if (s.outAfter.lt(params.minReserve))
    return err("pool/reserve_floor", `swap would leave the ${buy ? "alpha" : "TAO"} reserve below ${params.minReserve.toString()}`);
  const tAfter = buy ? s.inAfter : s.outAfter;
  const aAfter = buy ? s.outAfter : s.inAfter;
  if (limit && !withinLimit(buy, tAfter, aAfter, limit.limitPrice))
    return err("pool/limit_price", `the full order would move the price past the limit ${limit.limitPrice.toString()}`);
  return ok({
    amountIn: gross, requested, fee: s.fee, amountOut: s.out, partial,
    pool: { taoReserve: amtKept(tAfter), alphaReserve: amtKept(aAfter) }, T, A, tAfter, aAfter,
  });
}

function quote(buy: boolean, pool: PoolReserves, requested: Dec, params: SwapParams, limit?: LimitOrder): Result<SwapQuote> {
  const f = fill(buy, pool, requested, params, limit);
  if (!f.ok) return f;
  const { T, A, tAfter, aAfter, amountIn: gross, partial } = f.value;
  const s = { fee: f.value.fee, out: f.value.amountOut };
  const priceBefore = T.div(A); // 40 digits, rounds down (display)
  const priceAfter = tAfter.div(aAfter); // 40 digits, rounds down (display)
  const avgPrice = buy ? gross.div(s.out) : s.out.div(gross); // 40 digits, rounds down (display)
  // Output at the spot price would be gross/p (buy) or gross·p (sell); both ratios below are < 1.
  const ratio = buy ? priceBefore.div(avgPrice) : avgPrice.div(priceBefore); // 40 digits, rounds down (display)
  return ok({
    amountIn: gross,
    requested,
    fee: s.fee,
    amountOut: s.out,
    avgPrice,
    priceBefore,
    priceAfter,
    priceImpact: priceAfter.div(priceBefore).minus(1).abs(), // 40 digits, rounds down (display)
    slippage: ONE.minus(ratio),
    partial,
    pool: f.value.pool,
  });
}

/**
 * The fill of a stake or an unstake, exactly as `quoteStake` / `quoteUnstake` would report it
 * (same checks, same errors, same amounts and reserves) without the display figures (prices,
 * impact, slippage: five divisions). For swaps whose quote nobody reads.
 */
export function fillSwap(buy: boolean, pool: PoolReserves, amountIn: Dec, params: SwapParams, limit?: LimitOrder): Result<SwapFill> {
  const f = fill(buy, pool, amountIn, params, limit);
  if (!f.ok) return f;
  const { amountIn: a, requested, fee, amountOut, partial, pool: after } = f.value;
  return ok({ amountIn: a, requested, fee, amountOut, partial, pool: after });
}

/** A trade's cost in TAO against the pre-trade spot price: the fee, and the slippage beyond it. */
export interface TradeCostTao {
  fee: Dec;
  slippage: Dec;
}

/**
 * What a filled swap cost the trader, in TAO, against executing at the spot price p = T/A of the
 * reserves `before` it (the accounting behind the portfolio's fee and slippage columns; the
 * fee itself stays in the pool):
 *  - stake of gross TAO τ, fee f (TAO), alpha out α: fee = f; slippage = (τ − f) − α·p, i.e.
 *    ((τ − f)/p − α) alpha short of the spot price, valued at p;
 *  - unstake of gross alpha a, fee f (alpha), TAO out τ: the fee is alpha, so it is valued at the
 *    pre-trade spot price, fee = f·p; slippage = (a − f)·p − τ.
 * Both values are on the rao grid: each product with p is rounded down (so slippage rounds up by
 * less than a rao; the fee of an unstake rounds down). Slippage ≥ 0 for a constant-product pool:
 * the output is at most the net input times the spot price over (1 + net/reserve), rounded down.
 * Products of amounts up to 21M with 9 decimals are exact at precision 40 (see decimal.ts).
 */
export function tradeCost(buy: boolean, before: PoolReserves, fill: Pick<SwapFill, "amountIn" | "fee" | "amountOut">): TradeCostTao {
  const { T, A } = reserves(before);
  const net = fill.amountIn.minus(fill.fee);
  if (buy) return { fee: fill.fee, slippage: net.minus(floorRaoDiv(fill.amountOut.times(T), A)) };
  return { fee: floorRaoDiv(fill.fee.times(T), A), slippage: floorRaoDiv(net.times(T), A).minus(fill.amountOut) };
}

/**
 * Whether a swap of `amount` (a positive amount on the rao grid, no limit) surely fills, decided in
 * floating point with margins a million times wider than its rounding: true only when the exact
 * swap certainly pays out something and keeps the drawn reserve at or above `minReserve`, so that
 * `fillSwap(buy, pool, amount, params).ok` is true as well. False means "not sure": ask fillSwap.
 * `fee` and `minReserve` are the params' values as numbers. A cheap pre-check for callers that
 * only need to know whether a trade would be refused (the bots).
 */
export function surelyFills(buy: boolean, pool: PoolReserves, amount: string, fee: number, minReserve: number): boolean {
  const t = Number(pool.taoReserve);
  const a = Number(pool.alphaReserve);
  const g = Number(amount);
  const rIn = buy ? t : a;
  const rOut = buy ? a : t;
  // Realistic fees and amounts only (so nothing below cancels); anything else gets the exact check.
  if (!(fee >= 0 && fee <= 0.5 && minReserve >= 0 && g >= 1e-6 && rIn > 0 && rOut > 0)) return false;
  if (!(Number.isFinite(t) && Number.isFinite(a) && Number.isFinite(g) && Number.isFinite(minReserve))) return false;
  // net = g − ceil_rao(g·fee) lies in [g(1 − fee) − 1e-9, g]; the output grows with net.
  const netLow = g * (1 - fee) - 1e-9;
  const outLow = (rOut * netLow) / (rIn + netLow);
  const outHigh = (rOut * g) / (rIn + g);
  const paysOut = outLow >= 4e-9; // floor_rao(out) ≥ 1 rao
  const keepsFloor = rOut - outHigh * (1 + 1e-9) >= minReserve * (1 + 1e-9) + 1e-9 * rOut + 1e-9;
  return paysOut && keepsFloor;
}

/** Preview a stake: `taoIn` TAO in, alpha out. */
export function quoteStake(pool: PoolReserves, taoIn: Dec, params: SwapParams, limit?: LimitOrder): Result<SwapQuote> {
  return quote(true, pool, taoIn, params, limit);
}

/** Preview an unstake: `alphaIn` alpha in, TAO out. */
export function quoteUnstake(pool: PoolReserves, alphaIn: Dec, params: SwapParams, limit?: LimitOrder): Result<SwapQuote> {
  return quote(false, pool, alphaIn, params, limit);
}

/** Execute a stake: the execution is the quote (apply `value.pool` to the state). */
export const swapTaoForAlpha: typeof quoteStake = quoteStake;
/** Execute an unstake: the execution is the quote (apply `value.pool` to the state). */
export const swapAlphaForTao: typeof quoteUnstake = quoteUnstake;

/**
 * TAO received for selling `alpha` (floored to the rao) now. If the whole amount would take
 * the TAO reserve below the floor, sells the largest amount that keeps it and values the rest
 * at 0. Returns 0 for nothing to sell or an output that rounds to 0.
 */
export function liquidationValue(pool: PoolReserves, alpha: Dec, params: SwapParams): Dec {
  checkFee(params.fee);
  const total = floorRao(alpha);
  if (!total.gt(0)) return ZERO;
  const { T, A } = reserves(pool);
  const m = params.minReserve;
  const fits = (a: Dec) => leg(A, T, a, params.fee).outAfter.gte(m);
  let sell = total;
  if (!fits(total)) {
    // τ_out = T·n/(A+n) = T − m at net n = A(T−m)/m; gross ≈ n/(1−f). Estimate only.
    const est = T.gt(m) ? wide(A).times(T.minus(m)).div(m).div(ONE.minus(params.fee)) : ZERO; // rounds down; estimate
    sell = fromRao(searchMax(fits, est, toRao(total)));
    if (sell.isZero()) return ZERO;
  }
  const q = fillSwap(false, pool, sell, params); // the quote's amountOut, without its display figures
  return q.ok ? q.value.amountOut : ZERO;
}
