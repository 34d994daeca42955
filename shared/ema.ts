/**
 * Exponential moving averages used for emission shares (§2a price EMA, §2b flow EMA of
 * ../shared/dtao-mechanics.md), updated once per game round.
 *
 * Rates are plain numbers (config values); EMA values are Decimals, quantised to 1e-18 rounding
 * toward zero (`toDecimalPlaces(18, ROUND_DOWN)`) so the strings stored in state stay short.
 */
import { Decimal, ONE, dec, min, type Dec } from "./decimal.js";

/** Decimal places kept on a stored EMA value. */
export const EMA_DECIMALS = 18;

function quantiseEma(x: Dec): Dec {
  const q = x.toDecimalPlaces(EMA_DECIMALS, Decimal.ROUND_DOWN);
  return q.isZero() ? new Decimal(0) : q; // no "-0"
}

function checkFraction(name: string, x: number): void {
  if (!Number.isFinite(x) || x < 0 || x > 1) throw new RangeError(`${name} must be in [0, 1], got ${x}`);
}

/** 1 − a for the last rates seen (every subnet of a round steps with the same one or two), by identity. */
const complements: [Dec, Dec][] = [];
function oneMinus(a: Dec): Dec {
  for (const [r, c] of complements) if (r === a) return c;
  const c = ONE.minus(a);
  if (complements.length >= 4) complements.pop();
  complements.unshift([a, c]);
  return c;
}

function rateDec(rate: Dec | number): Dec {
  const a = dec(rate);
  if (!a.isFinite() || a.lt(0) || a.gt(1)) throw new RangeError(`EMA rate must be in [0, 1], got ${a}`);
  return a;
}

/**
 * Rate of one step that equals `blocks` per-block steps at a constant input: 1 − (1 − a)^blocks.
 * Chain price EMA 3e-6 over 360 blocks ≈ 1.0794e-3; flow EMA ≈ 1.1546e-3.
 * Computed as −expm1(blocks·log1p(−a)) so small rates keep full precision.
 */
export function emaRateForBlocks(perBlockRate: number, blocks: number): number {
  checkFraction("perBlockRate", perBlockRate);
  if (!Number.isFinite(blocks) || blocks < 0) throw new RangeError(`blocks must be ≥ 0, got ${blocks}`);
  if (blocks === 0) return 0;
  if (perBlockRate === 1) return 1;
  return -Math.expm1(blocks * Math.log1p(-perBlockRate));
}

/** Per-round rate that halves a gap in `halfLifeRounds` rounds: 1 − 0.5^(1/h). */
export function rateForHalfLife(halfLifeRounds: number): number {
  if (!(halfLifeRounds > 0)) throw new RangeError(`halfLifeRounds must be > 0, got ${halfLifeRounds}`);
  return -Math.expm1(-Math.LN2 / halfLifeRounds);
}

/**
 * Price EMA step (§2a): m ← (1−a)·m + a·min(price, cap). One round is one step; with
 * a = emaRateForBlocks(a_block, N) this is the exact closed form of N per-block steps at a constant
 * price. Result rounded toward zero at 1e-18.
 */
export function updatePriceEma(m: Dec, price: Dec, rate: Dec | number, cap: Dec): Dec {
  const a = rateDec(rate);
  const fed = min(dec(price), dec(cap));
  return quantiseEma(dec(m).times(oneMinus(a)).plus(a.times(fed)));
}

/**
 * Effective price-EMA rate for a subnet `roundsSinceStart` rounds after its start_call (§2a, from
 * March 2025): a·b/(b + H). A subnet that has just started (b = 0) does not move its EMA.
 * `halvingRounds` ≤ 0 disables the slowdown.
 */
export function effectivePriceEmaRate(rate: number, roundsSinceStart: number, halvingRounds: number): number {
  checkFraction("rate", rate);
  if (!(halvingRounds > 0)) return rate;
  const b = Math.max(0, roundsSinceStart);
  if (b === Infinity) return rate;
  return (rate * b) / (b + halvingRounds);
}

/**
 * Flow EMA step (§2b): S ← (1−β)·S + β·flow, where flow is this round's net TAO staked minus
 * unstaked (may be negative). Result rounded toward zero at 1e-18.
 */
export function updateFlowEma(s: Dec, netFlowThisRound: Dec, rate: Dec | number): Dec {
  const b = rateDec(rate);
  return quantiseEma(dec(s).times(oneMinus(b)).plus(b.times(dec(netFlowThisRound))));
}
