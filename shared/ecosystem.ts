/**
 * Ecosystem metrics of a round: who controls the emission allocation, how concentrated stake is,
 * whether emission follows real quality, and how much of the market is speculative premium.
 */
import { subnetList } from "./access.js";
import { dec } from "./decimal.js";
import { gini, hhi, nakamoto, pearson, spearman, speculativePremium } from "./metrics.js";
import { trueQuality } from "./quality.js";
import type { EcosystemMetrics } from "./report.js";
import { type GameState, MINERS_ID, type PlayerId } from "./state.js";

/**
 * Control over allocation under dTAO: each alpha holder's part of each pool's outstanding alpha,
 * weighted by the subnet's emission share (emission follows where holders put their TAO).
 * The NPC miners are many independent people, so their alpha is left out.
 */
export function marketControl(state: GameState, shares: Record<string, number>): Map<PlayerId, number> {
  const control = new Map<PlayerId, number>();
  const totals = new Map<string, number>();
  for (const id of state.playerOrder) {
    if (id === MINERS_ID) continue;
    for (const [n, a] of Object.entries(state.players[id].alpha)) totals.set(n, (totals.get(n) ?? 0) + Number(a));
  }
  for (const id of state.playerOrder) {
    if (id === MINERS_ID) continue;
    let c = 0;
    for (const [n, a] of Object.entries(state.players[id].alpha)) {
      const t = totals.get(n) ?? 0;
      if (t > 0) c += (shares[n] ?? 0) * (Number(a) / t);
    }
    if (c > 0) control.set(id, c);
  }
  return control;
}

export function ecosystemMetrics(state: GameState, shares: Record<string, number>, control: Map<PlayerId, number>): EcosystemMetrics {
  const subnets = subnetList(state);
  const q = subnets.map((s) => trueQuality(s));
  const sh = subnets.map((s) => shares[s.netuid] ?? 0);
  const caps = subnets.map((s) => Number(s.price) * Number(s.alphaOut));
  const stakeValue: number[] = [];
  for (const id of state.playerOrder) {
    if (id === MINERS_ID) continue;
    const p = state.players[id];
    let v = Number(p.rootStake);
    for (const [n, a] of Object.entries(p.alpha)) v += Number(a) * Number(state.subnets[n]?.price ?? 0);
    stakeValue.push(v);
  }
  const controlValues = [...control.values()];
  const topControl = [...control.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 8)
    .map(([id, share]) => ({ id, share: share / (controlValues.reduce((x, y) => x + y, 0) || 1) }));
  const builders = subnets.map((s) => state.players[s.owner]?.effort.research ?? 0);
  return {
    nakamoto: nakamoto(controlValues),
    hhi: hhi(controlValues),
    stakeGini: gini(stakeValue),
    qualityCorrelation: pearson(sh, q),
    qualityRankCorrelation: spearman(sh, q),
    speculativePremium: speculativePremium(caps, q),
    researchShare: builders.length ? builders.reduce((a, b) => a + b, 0) / builders.length : 0,
    topControl,
  };
}

/** Net worth at spot: free TAO + root stake + alpha valued at the pool price. */
export function spotValue(state: GameState, id: PlayerId): number {
  const p = state.players[id];
  let v = dec(p.tao).plus(p.rootStake);
  for (const [n, a] of Object.entries(p.alpha)) v = v.plus(dec(a).mul(state.subnets[n]?.price ?? "0"));
  return v.toNumber();
}
