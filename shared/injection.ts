/**
 * What a subnet's pool receives in one round (§3): tao_in, alpha_in under the cap, and the excess
 * TAO rule of the rule set. A round is one tempo, so the per-block amounts are summed over it;
 * an uncapped injection keeps the price, which is why the whole tempo can be done in one step.
 */
import type { ExcessRule } from "./config.js";
import { amt, amtKept, dec, type Dec, floorRao, floorRaoDiv, ZERO } from "./decimal.js";
import { fillSwap, type SwapParams } from "./pool.js";
import type { Subnet } from "./state.js";

export interface Injection {
  readonly taoIn: Dec;
  readonly alphaIn: Dec;
  /** TAO above the cap that bought alpha from the pool (RS2, RS3). */
  readonly excessTao: Dec;
  /** Alpha that excess TAO bought and burned or recycled. */
  readonly alphaBurned: Dec;
  /** RS2: the subnet was subsidised this round, so root's share is lost (§3). */
  readonly subsidised: boolean;
}

/**
 * @param emission the subnet's TAO emission for the round (share × round emission)
 * @param alphaCap alpha_in cap for the round (the subnet's alpha emission over the tempo)
 * @param share the subnet's emission share (E_i / E_block per block)
 * @param spotPrice `taoReserve / alphaReserve` of `s` at 40 digits, when the caller already has it
 */
export function computeInjection(s: Subnet, emission: Dec, alphaCap: Dec, share: Dec, rule: ExcessRule, spotPrice?: Dec): Injection {
  const none: Injection = { taoIn: ZERO, alphaIn: ZERO, excessTao: ZERO, alphaBurned: ZERO, subsidised: false };
  if (emission.lte(0)) return none;
  const price = spotPrice ?? dec(s.taoReserve).div(dec(s.alphaReserve));
  const uncapped = floorRaoDiv(emission, price); // rounds down: never mint more alpha than the TAO buys
  if (rule === "none") {
    // RS1: all TAO goes in; alpha_in capped, so a capped low-price subnet's price rises.
    return { ...none, taoIn: emission, alphaIn: uncapped.lt(alphaCap) ? uncapped : alphaCap };
  }
  if (rule === "subsidyBurn") {
    // RS2: subsidised when p < E_i/E_block, i.e. price below the share.
    if (price.gte(share)) return { ...none, taoIn: emission, alphaIn: uncapped.lt(alphaCap) ? uncapped : alphaCap };
    const taoIn = floorRao(price.mul(alphaCap)); // rounds down: the rest is excess
    const capped = taoIn.gt(emission) ? emission : taoIn;
    return { ...none, taoIn: capped, alphaIn: alphaCap, excessTao: emission.minus(capped), subsidised: true };
  }
  // capRecycle, RS3: cap only when E_i/p exceeds the alpha emission.
  if (uncapped.lte(alphaCap)) return { ...none, taoIn: emission, alphaIn: uncapped };
  const taoIn = floorRao(alphaCap.mul(price));
  const capped = taoIn.gt(emission) ? emission : taoIn;
  return { ...none, taoIn: capped, alphaIn: alphaCap, excessTao: emission.minus(capped) };
}

/**
 * Apply an injection to the pool: add reserves, then let the excess buy alpha fee-free and remove it.
 * With `priced: false` the subnet's stored `price` is left as it was, for a caller that sets it
 * again afterwards anyway (resolveRound's payout recounts it).
 */
export function applyInjection(s: Subnet, inj: Injection, protocol: SwapParams, { priced = true }: { priced?: boolean } = {}): { subnet: Subnet; injection: Injection } {
  let t = dec(s.taoReserve).plus(inj.taoIn);
  let a = dec(s.alphaReserve).plus(inj.alphaIn);
  let issued = dec(s.alphaIssued).plus(inj.alphaIn);
  let burned = ZERO;
  const excess = inj.excessTao;
  if (excess.gt(0)) {
    const q = fillSwap(true, { taoReserve: amt(t), alphaReserve: amt(a) }, excess, protocol);
    if (q.ok) {
      t = dec(q.value.pool.taoReserve);
      a = dec(q.value.pool.alphaReserve);
      burned = q.value.amountOut;
      issued = issued.minus(burned); // burned (RS2) or recycled (RS3): gone from alpha issuance either way
    } else {
      // The buy would breach the reserve floor: the TAO still goes in (issuance must balance), no alpha is bought.
      t = t.plus(excess);
    }
  }
  return {
    subnet: { ...s, taoReserve: amtKept(t), alphaReserve: amtKept(a), alphaIssued: amtKept(issued), price: priced ? amt(floorRaoDiv(t, a)) : s.price },
    injection: { ...inj, alphaBurned: burned, excessTao: excess },
  };
}
