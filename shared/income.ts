/**
 * Each player's income record of a round (`RoundReport.income`): what the payouts added, split into
 * the subnet owner's cut of emission and dividends, and what the player's own pool trades cost in
 * fees and slippage (accumulated in `state.tradeCosts` while the round was played).
 */
import type { Dec } from "./decimal.js";
import type { PlayerIncome, SubnetRoundReport } from "./report.js";
import type { GameState, Netuid, PlayerId } from "./state.js";

/** What the payouts added to one player (distribution.ts `Gains`). */
interface GainsLike {
  readonly alpha: ReadonlyMap<Netuid, Dec>;
  readonly root: Dec;
}

/**
 * One record per person (bots included, spectators not), even one that earned nothing and did not
 * trade, so every player can account for every round; and one per NPC the payouts credited.
 * `state` is the state the round was resolved from (its `tradeCosts`, players and subnet owners).
 */
export function roundIncome(state: GameState, gains: ReadonlyMap<PlayerId, GainsLike>, subnets: readonly SubnetRoundReport[]): Record<PlayerId, PlayerIncome> {
  const ownerCuts = new Map<PlayerId, Record<Netuid, string>>();
  for (const x of subnets) {
    if (x.ownerAlpha === "0") continue;
    const owner = state.subnets[x.netuid]?.owner;
    if (owner === undefined) continue;
    let cuts = ownerCuts.get(owner);
    if (!cuts) ownerCuts.set(owner, (cuts = {}));
    cuts[x.netuid] = x.ownerAlpha;
  }
  const costs = state.tradeCosts ?? {};
  const income: Record<PlayerId, PlayerIncome> = {};
  for (const id of state.playerOrder) {
    // What the payouts added (no trades happen during them): the credits, i.e. positions after minus before.
    const g = gains.get(id);
    const p = state.players[id];
    const person = p !== undefined && p.npc === null && p.role !== "spectator";
    if (!g && !person) continue;
    const alpha: Record<Netuid, string> = {};
    g?.alpha.forEach((gain, n) => { alpha[n] = gain.toString(); }); // netuid keys: the record orders them numerically
    const cost = costs[id];
    income[id] = {
      alpha, rootTao: g ? g.root.toString() : "0", ownerCut: (g && ownerCuts.get(id)) || {},
      fees: cost?.fees ?? "0", slippage: cost?.slippage ?? "0",
    };
  }
  return income;
}

/** The state without the round's trade costs (they are reported, then start again from nothing). */
export function withoutTradeCosts(state: GameState): GameState {
  if (state.tradeCosts === undefined) return state;
  const { tradeCosts: _reported, ...rest } = state;
  return rest;
}
