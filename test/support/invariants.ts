/**
 * State and report invariants from the mechanics file ("Invariants a test suite should check"),
 * shared by the property and replay tests. Each check returns a list of problems (empty = fine),
 * so a failing property prints every broken rule at once.
 */
import {
  auditTao, dec, lockCost, ZERO, type GameState, type RoundReport,
} from "../../shared/index.js";

/** Freeze the whole state tree, so any in-place mutation by the engine throws (ESM is strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** A subnet registered in round r (registeredRound) is immune while fewer than immunityRounds rounds have passed. */
export function immuneIn(state: GameState, netuid: string): boolean {
  const s = state.subnets[netuid];
  return s !== undefined && s.registeredRound > 0 && state.round - s.registeredRound < state.config.immunityRounds;
}

export function stateProblems(state: GameState): string[] {
  const problems: string[] = [...auditTao(state).problems];
  const neg = (label: string, x: string) => { if (dec(x).isNeg()) problems.push(`${label} is negative (${x})`); };
  for (const id of state.playerOrder) {
    const p = state.players[id];
    if (!p) continue; // the audit already reports it
    neg(`${id}.tao`, p.tao);
    neg(`${id}.rootStake`, p.rootStake);
    for (const [n, a] of Object.entries(p.alpha)) {
      if (!dec(a).gt(0)) problems.push(`${id}.alpha[${n}] is not positive (${a})`);
    }
  }
  for (const s of Object.values(state.subnets)) {
    if (!dec(s.taoReserve).gt(0) || !dec(s.alphaReserve).gt(0)) problems.push(`subnet ${s.netuid} reserve not positive`);
    neg(`subnet ${s.netuid}.alphaOut`, s.alphaOut);
    neg(`subnet ${s.netuid}.priceEma`, s.priceEma);
    neg(`subnet ${s.netuid}.price`, s.price);
    neg(`subnet ${s.netuid}.locked`, s.locked);
  }
  neg("outside", state.outside);
  neg("recycled", state.recycled);
  neg("issuance", state.issuance);
  if (dec(state.issuance).gt(state.config.supplyCap)) problems.push("issuance above the supply cap");
  const count = Object.keys(state.subnets).length;
  if (count > Math.max(state.config.subnetLimit, state.config.initialSubnets)) problems.push(`${count} subnets above the limit`);
  if (lockCost(state).lt(state.config.minLockCost)) problems.push(`lock cost ${lockCost(state).toString()} below the minimum`);
  if (state.round > state.config.rounds) problems.push(`round ${state.round} past the last (${state.config.rounds})`);
  if (state.phase === "acting" && state.round >= state.config.rounds) problems.push("still acting after the last round");
  if (state.phase === "lobby" && state.round !== 0) problems.push("lobby after a resolution");
  return problems;
}

/** Emission shares ≥ 0 summing to exactly 1 (or all 0); Σ emission = emitted; each pool got its emission. */
export function reportProblems(report: RoundReport, before: GameState, after: GameState, halvingQueued: boolean): string[] {
  const problems: string[] = [];
  const shares = report.subnets.map((x) => dec(x.share));
  if (shares.some((x) => x.isNeg())) problems.push("a negative share");
  const total = shares.reduce((a, b) => a.plus(b), ZERO);
  if (!(total.eq(1) || (total.isZero() && shares.every((x) => x.isZero())))) problems.push(`shares sum to ${total.toString()}`);
  if (dec(report.emitted).isNeg()) problems.push("negative emission");
  const emissions = report.subnets.reduce((a, x) => a.plus(x.emission), ZERO);
  if (!emissions.eq(report.emitted)) problems.push(`Σ subnet emission ${emissions.toString()} ≠ emitted ${report.emitted}`);
  for (const x of report.subnets) {
    if (dec(x.emission).isNeg()) problems.push(`subnet ${x.netuid} negative emission`);
    if (!dec(x.taoIn).plus(x.excessTao).eq(x.emission)) problems.push(`subnet ${x.netuid}: taoIn + excess ≠ emission`);
    if (total.isZero() && !dec(x.emission).isZero()) problems.push(`subnet ${x.netuid} emitted with all shares 0`);
  }
  const grew = dec(after.issuance).minus(before.issuance);
  // A host halving jumps issuance (the jump sits "outside" the game); otherwise issuance grows by exactly the emission.
  if (halvingQueued ? grew.lt(report.emitted) : !grew.eq(report.emitted)) {
    problems.push(`issuance grew by ${grew.toString()}, emitted ${report.emitted}`);
  }
  if (after.round !== before.round + 1) problems.push("round did not advance by one");
  if (report.round !== after.round) problems.push("report round ≠ state round");
  return problems;
}
