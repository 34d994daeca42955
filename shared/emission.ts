/**
 * Block emission and its halvings (§1 of ../shared/dtao-mechanics.md).
 *
 * The chain computes `k = floor(log2(1 / (1 − I/cap)))` and emits `base / 2^k` per block, 0 once
 * I ≥ cap. Here k is found without a floating log: 1/(1 − I/cap) ≥ 2^n ⇔ I ≥ cap·(1 − 2^−n), so
 * k is the number of halving thresholds `cap·(1 − 2^−n)` (n = 1, 2, …) that I has reached
 * (10.5M, 15.75M, 18.375M, … for a 21M cap).
 *
 * The same function serves TAO (cap 21M TAO, 1 TAO per block) and every subnet's alpha (cap 21M
 * alpha on that subnet's own alpha issuance, 1 alpha per block).
 */
import { ALPHA_SUPPLY_CAP } from "./constants.js";
import { Decimal, ONE, ZERO, dec, floorRao, min, type Dec, type DecLike } from "./decimal.js";

/** Base alpha emission per block before any halving, in alpha (§3: 1 alpha until 10.5M alpha). */
export const ALPHA_BASE_BLOCK_EMISSION = "1";

export interface EmissionSegment {
  /** Consecutive blocks that emitted the same amount. */
  readonly blocks: number;
  /** Emission of each of those blocks, quantised to the rao. */
  readonly perBlock: Dec;
}

export interface EmissionWindow {
  /** Sum emitted over the window, quantised to the rao. */
  readonly total: Dec;
  /** The window cut where the rate changes; the `blocks` of all segments add up to the window. */
  readonly perSegment: EmissionSegment[];
}

interface HalvingState {
  /** base / 2^k floored to the rao (before the cap clamp). */
  readonly rate: Dec;
  /** threshold_{k+1} = cap·(1 − 2^−(k+1)): the issuance at which the next halving starts. */
  readonly nextThreshold: Dec;
}

function checkParams(issuance: Dec, supplyCap: Dec, base: Dec): void {
  if (!issuance.isFinite()) throw new RangeError(`issuance must be finite, got ${issuance}`);
  if (!supplyCap.isFinite() || !supplyCap.gt(0)) throw new RangeError(`supplyCap must be > 0, got ${supplyCap}`);
  if (!base.isFinite() || base.lt(0)) throw new RangeError(`base emission must be ≥ 0, got ${base}`);
}

/**
 * Halvings passed at issuance I < cap. Stops as soon as the halved rate floors to 0 rao: further
 * thresholds cannot change the result, and this bounds the loop (≈ 30 steps for a 1-TAO base).
 */
function halvingState(issuance: Dec, supplyCap: Dec, base: Dec): HalvingState {
  let gap = supplyCap; // cap·2^−k, so threshold_k = cap − gap
  let halved = base; // base / 2^k
  let rate = floorRao(halved);
  for (;;) {
    // Halving: exact while the digits fit precision 40 (≈ 55 halvings of 21M); ROUND_DOWN after. Written
    // as ×0.5, which is the same correctly rounded value as ÷2 and much cheaper.
    const nextGap = gap.times(HALF);
    const nextThreshold = supplyCap.minus(nextGap);
    if (rate.isZero() || issuance.lt(nextThreshold) || nextGap.isZero()) {
      return { rate, nextThreshold };
    }
    gap = nextGap;
    // Division by 2: exact for any realistic base; floorRao below rounds down to the rao.
    halved = halved.times(HALF);
    rate = floorRao(halved);
  }
}

/**
 * Emission of one block at issuance I: `base / 2^k` floored to the rao, and 0 once I ≥ cap.
 * It is also clamped to `cap − I`, so issuance never passes the cap; that clamp only binds for a
 * base larger than cap/2^(k+1)-ish, i.e. never with chain parameters.
 */
export function blockEmission(issuance: Dec, supplyCap: Dec, base: Dec): Dec {
  const I = dec(issuance);
  const cap = dec(supplyCap);
  const b = dec(base);
  checkParams(I, cap, b);
  if (I.gte(cap)) return ZERO;
  const { rate } = halvingState(I, cap, b);
  return floorRao(min(rate, cap.minus(I)));
}

const HALF = new Decimal("0.5");

/** amount ÷ rate rounded down to an integer, for amount ≥ 0; a rate of 1 (no halving yet) needs no division. */
function floorQuotient(amount: Dec, rate: Dec): Dec {
  return rate.eq(ONE) && amount.sd() <= 40 ? amount.floor() : amount.div(rate).floor();
}

/** Smallest integer n ≥ 0 with n·rate ≥ amount (amount ≥ 0, rate > 0). */
function blocksToReach(amount: Dec, rate: Dec): Dec {
  // Division rounded down (precision 40, ROUND_DOWN), then corrected upward: the result is the exact ceiling.
  let n = floorQuotient(amount, rate);
  while (n.times(rate).lt(amount)) n = n.plus(1);
  return n;
}

/** Largest integer n ≥ 0 with n·rate ≤ amount (amount ≥ 0, rate > 0). */
function blocksWithin(amount: Dec, rate: Dec): Dec {
  // Division rounded down (precision 40, ROUND_DOWN), then corrected: the result is the exact floor.
  let n = floorQuotient(amount, rate);
  while (n.times(rate).gt(amount)) n = n.minus(1);
  while (n.plus(1).times(rate).lte(amount)) n = n.plus(1);
  return n;
}

/**
 * Total emitted over `blocks` consecutive blocks starting at issuance I, where each block's
 * emission is added to I before the next block is priced (so a threshold crossed mid-window halves
 * the rate from the following block on). Closed form per constant-rate segment: O(halvings), not
 * O(blocks). Identical to looping `blockEmission` block by block; never emits past the cap.
 */
export function emissionOverBlocks(
  issuance: Dec,
  blocks: number,
  supplyCap: Dec,
  base: Dec,
): EmissionWindow {
  let I = dec(issuance);
  const cap = dec(supplyCap);
  const b = dec(base);
  checkParams(I, cap, b);
  if (!Number.isSafeInteger(blocks) || blocks < 0) {
    throw new RangeError(`blocks must be a non-negative safe integer, got ${blocks}`);
  }
  const start = I;
  // The usual case, before the first halving with the window not reaching it: one segment at the
  // base rate. Exactly what the loop below computes then, without its searches.
  const w = windowConstants(cap, b, blocks);
  if (blocks > 0 && I.lt(w.firstThreshold)) {
    const rate = w.rate;
    if (!rate.isZero() && w.allButLast.lt(w.firstThreshold.minus(I)) && w.all.lte(cap.minus(I))) {
      return { total: floorRao(I.plus(w.all).minus(start)), perSegment: [{ blocks, perBlock: rate }] };
    }
  }
  const perSegment: EmissionSegment[] = [];
  let remaining = blocks;
  while (remaining > 0 && I.lt(cap)) {
    const { rate, nextThreshold } = halvingState(I, cap, b);
    if (rate.isZero()) break;
    const room = cap.minus(I);
    // Full-rate blocks before the rate halves (ceil), and before the cap would be passed (floor).
    const toHalving = blocksToReach(nextThreshold.minus(I), rate);
    const beforeCap = blocksWithin(room, rate);
    const take = Decimal.min(toHalving, beforeCap, remaining).toNumber();
    if (take > 0) {
      perSegment.push({ blocks: take, perBlock: rate });
      I = I.plus(rate.times(take));
      remaining -= take;
    } else {
      // Less than one full block of room left under the cap: the last block emits exactly the rest.
      const last = floorRao(room);
      if (last.isZero()) break;
      perSegment.push({ blocks: 1, perBlock: last });
      I = I.plus(last);
      remaining -= 1;
    }
  }
  if (remaining > 0) perSegment.push({ blocks: remaining, perBlock: ZERO });
  return { total: floorRao(I.minus(start)), perSegment };
}

/** What the one-segment case of emissionOverBlocks computes from its parameters alone. */
interface WindowConstants {
  readonly cap: Dec;
  readonly base: Dec;
  readonly blocks: number;
  /** cap − cap·½: the issuance of the first halving. */
  readonly firstThreshold: Dec;
  /** The base rate floored to the rao, and it times blocks − 1 and blocks. */
  readonly rate: Dec;
  readonly allButLast: Dec;
  readonly all: Dec;
}

/** The last few parameter sets seen (every round asks for the same one or two), by identity of the Decimals. */
const recentWindows: WindowConstants[] = [];

function windowConstants(cap: Dec, base: Dec, blocks: number): WindowConstants {
  for (const w of recentWindows) if (w.cap === cap && w.base === base && w.blocks === blocks) return w;
  const rate = floorRao(base);
  const w: WindowConstants = {
    cap, base, blocks, firstThreshold: cap.minus(cap.times(HALF)), rate, allButLast: rate.times(blocks - 1), all: rate.times(blocks),
  };
  if (recentWindows.length >= 4) recentWindows.pop();
  recentWindows.unshift(w);
  return w;
}

/** One block of a subnet's alpha emission (α_em) at its alpha issuance `alpha_in + alpha_out`. */
export function alphaBlockEmission(alphaIssuance: DecLike): Dec {
  return blockEmission(dec(alphaIssuance), dec(ALPHA_SUPPLY_CAP), dec(ALPHA_BASE_BLOCK_EMISSION));
}

/** A subnet's alpha emission over `blocks` blocks: cap 21M alpha, base 1 alpha per block. */
export function alphaEmissionOverBlocks(alphaIssuance: DecLike, blocks: number): EmissionWindow {
  return emissionOverBlocks(dec(alphaIssuance), blocks, dec(ALPHA_SUPPLY_CAP), dec(ALPHA_BASE_BLOCK_EMISSION));
}

/** Halvings passed at this issuance (k), for display; `Infinity` once I ≥ cap. */
export function halvingsPassed(issuance: DecLike, supplyCap: DecLike): number {
  const I = dec(issuance);
  const cap = dec(supplyCap);
  checkParams(I, cap, ONE);
  if (I.gte(cap)) return Infinity;
  let k = 0;
  let gap = cap;
  // Division by 2: exact while it fits precision 40; the loop ends once the gap is below I's distance to the cap.
  while (gap.gt(0) && I.gte(cap.minus(gap.div(2)))) {
    gap = gap.div(2);
    k += 1;
  }
  return k;
}
