/**
 * Accounting checks that every rao is where it should be (mechanics "Invariants" 1–3).
 * TAO: free + root stake + pool reserves + outside == issuance, exactly.
 * Alpha, per subnet: reserve + outstanding == issued, and outstanding == Σ positions.
 */
import { dec, type Dec, ZERO } from "./decimal.js";
import type { GameState } from "./state.js";

export interface TaoAudit {
  readonly ok: boolean;
  readonly issuance: string;
  readonly accounted: string;
  readonly difference: string;
  readonly free: string;
  readonly rootStake: string;
  readonly pools: string;
  readonly outside: string;
  readonly problems: readonly string[];
}

export function auditTao(state: GameState): TaoAudit {
  let free = ZERO;
  let root = ZERO;
  const problems: string[] = [];
  const alphaHeld = new Map<string, Dec>();
  for (const id of state.playerOrder) {
    const p = state.players[id];
    if (!p) { problems.push(`player ${id} in order but missing`); continue; }
    free = free.plus(p.tao);
    if (dec(p.tao).isNeg()) problems.push(`${id} has negative TAO`);
    let rootSum = ZERO;
    for (const [netuid, book] of Object.entries(p.stakes)) {
      let held = ZERO;
      for (const amount of Object.values(book)) {
        if (dec(amount).lte(0)) problems.push(`${id} has a non-positive position on ${netuid}`);
        held = held.plus(amount);
      }
      if (netuid === "0") rootSum = held;
      else {
        alphaHeld.set(netuid, (alphaHeld.get(netuid) ?? ZERO).plus(held));
        if (!dec(p.alpha[netuid] ?? "0").eq(held)) problems.push(`${id} alpha[${netuid}] disagrees with its positions`);
        if (!state.subnets[netuid]) problems.push(`${id} holds alpha on missing subnet ${netuid}`);
      }
    }
    if (!dec(p.rootStake).eq(rootSum)) problems.push(`${id} rootStake disagrees with its positions`);
    root = root.plus(p.rootStake);
  }
  let pools = ZERO;
  for (const s of Object.values(state.subnets)) {
    pools = pools.plus(s.taoReserve);
    if (dec(s.taoReserve).lte(0) || dec(s.alphaReserve).lte(0)) problems.push(`subnet ${s.netuid} has an empty reserve`);
    if (!dec(s.alphaReserve).plus(s.alphaOut).eq(s.alphaIssued)) problems.push(`subnet ${s.netuid}: reserve + out ≠ issued`);
    if (!dec(s.alphaOut).eq(alphaHeld.get(s.netuid) ?? ZERO)) problems.push(`subnet ${s.netuid}: alphaOut ${s.alphaOut} ≠ positions ${(alphaHeld.get(s.netuid) ?? ZERO).toString()}`);
  }
  const accounted = free.plus(root).plus(pools).plus(state.outside);
  const difference = dec(state.issuance).minus(accounted);
  if (!difference.isZero()) problems.push(`TAO off by ${difference.toString()}`);
  return {
    ok: problems.length === 0, issuance: state.issuance, accounted: accounted.toString(), difference: difference.toString(),
    free: free.toString(), rootStake: root.toString(), pools: pools.toString(), outside: state.outside, problems,
  };
}
