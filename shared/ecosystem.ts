/**
 * Ecosystem metrics of a round: who controls the emission allocation, how concentrated stake is,
 * whether emission follows real quality, and how much of the market is speculative premium.
 */
import { subnetList } from "./access.js";
import { dec } from "./decimal.js";
import { gini, hhi, nakamoto, pearson, spearman, speculativePremium } from "./metrics.js";
import { trueQuality } from "./quality.js";
import type { EcosystemMetrics } from "./report.js";
import { type GameState, MINERS_ID, type Player, type PlayerId } from "./state.js";

/**
 * Control over allocation under dTAO: each alpha holder's part of each pool's outstanding alpha,
 * weighted by the subnet's emission share (emission follows where holders put their TAO).
 * The NPC miners are many independent people, so their alpha is left out.
 */
export function marketControl(state: GameState, shares: Record<string, number>, holdings: HoldingsTable = alphaHoldings(state)): Map<PlayerId, number> {
  const control = new Map<PlayerId, number>();
  const { ids, start, slots, amounts, netuids } = holdings;
  // Per subnet (by slot): the total, summed in player order as a map keyed by netuid would be.
  const totals = new Float64Array(netuids.length);
  const end = start[ids.length];
  for (let i = 0; i < end; i++) totals[slots[i]] += amounts[i];
  const shareOf = netuids.map((n) => shares[n] ?? 0);
  for (let k = 0; k < ids.length; k++) {
    let c = 0;
    for (let i = start[k]; i < start[k + 1]; i++) {
      const t = totals[slots[i]];
      if (t > 0) c += shareOf[slots[i]] * (amounts[i] / t);
    }
    if (c > 0) control.set(ids[k], c);
  }
  return control;
}

/**
 * Every player's alpha holdings as numbers (the NPC miners left out), in player order, each in its
 * record's order, in flat lists: player k's holdings are entries start[k] … start[k + 1] − 1 of
 * `slots` (the subnet, as a place in `netuids`, in the order first met) and `amounts`.
 */
export interface HoldingsTable {
  ids: PlayerId[];
  players: Player[];
  start: Int32Array;
  slots: Int32Array;
  amounts: Float64Array;
  netuids: string[];
}

/** What marketControl and ecosystemMetrics read (a caller computing both makes it once and passes it to each). */
export function alphaHoldings(state: GameState): HoldingsTable {
  const ids: PlayerId[] = [];
  const players: Player[] = [];
  const netuids: string[] = [];
  const slotOf = new Map<string, number>();
  const start = new Int32Array(state.playerOrder.length + 1);
  let slots = new Int32Array(Math.max(16, state.playerOrder.length));
  let amounts = new Float64Array(slots.length);
  let n = 0;
  for (const id of state.playerOrder) {
    if (id === MINERS_ID) continue;
    const p = state.players[id];
    start[ids.length] = n;
    ids.push(id);
    players.push(p);
    for (const netuid in p.alpha) {
      if (n === slots.length) {
        const s2 = new Int32Array(2 * n);
        s2.set(slots);
        slots = s2;
        const a2 = new Float64Array(2 * n);
        a2.set(amounts);
        amounts = a2;
      }
      let slot = slotOf.get(netuid);
      if (slot === undefined) {
        slotOf.set(netuid, (slot = netuids.length));
        netuids.push(netuid);
      }
      slots[n] = slot;
      amounts[n++] = Number(p.alpha[netuid]);
    }
  }
  start[ids.length] = n;
  return { ids, players, start, slots, amounts, netuids };
}

export function ecosystemMetrics(
  state: GameState, shares: Record<string, number>, control: Map<PlayerId, number>, holdings: HoldingsTable = alphaHoldings(state),
): EcosystemMetrics {
  const subnets = subnetList(state);
  const q = subnets.map((s) => trueQuality(s));
  const sh = subnets.map((s) => shares[s.netuid] ?? 0);
  const caps = subnets.map((s) => Number(s.price) * Number(s.alphaOut));
  const prices = new Map(subnets.map((s) => [s.netuid, Number(s.price)]));
  const stakeValue: number[] = [];
  const { players, start, slots, amounts } = holdings;
  const priceOf = holdings.netuids.map((n) => prices.get(n) ?? 0);
  for (let k = 0; k < players.length; k++) {
    let v = Number(players[k].rootStake);
    for (let i = start[k]; i < start[k + 1]; i++) v += amounts[i] * priceOf[slots[i]];
    stakeValue.push(v);
  }
  const controlValues = [...control.values()];
  const topControl = topEntries(control, 8)
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

/** The first `k` entries by value descending, ties by id: the head of the full sort, found in one pass. */
function topEntries(m: ReadonlyMap<PlayerId, number>, k: number): [PlayerId, number][] {
  const before = (a: [PlayerId, number], b: [PlayerId, number]) => (b[1] - a[1] || (a[0] < b[0] ? -1 : 1)) < 0;
  const top: [PlayerId, number][] = [];
  for (const e of m) {
    if (top.length === k && !before(e, top[k - 1])) continue;
    let i = top.length < k ? top.length : k - 1;
    top[i] = e;
    while (i > 0 && before(top[i], top[i - 1])) {
      [top[i - 1], top[i]] = [top[i], top[i - 1]];
      i--;
    }
  }
  return top;
}

/** Net worth at spot: free TAO + root stake + alpha valued at the pool price. */
export function spotValue(state: GameState, id: PlayerId): number {
  const p = state.players[id];
  let v = dec(p.tao).plus(p.rootStake);
  for (const [n, a] of Object.entries(p.alpha)) v = v.plus(dec(a).mul(state.subnets[n]?.price ?? "0"));
  return v.toNumber();
}
