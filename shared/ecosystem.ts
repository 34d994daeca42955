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
export function marketControl(state: GameState, shares: Record<string, number>): Map<PlayerId, number> {
  const control = new Map<PlayerId, number>();
  const { rows, netuids } = alphaHoldings(state);
  // Per subnet (by slot): the total, summed in player order as a map keyed by netuid would be.
  const totals = new Float64Array(netuids.length);
  for (let k = 0; k < rows.length; k++) {
    const { slots, amounts } = rows[k];
    for (let i = 0; i < slots.length; i++) totals[slots[i]] += amounts[i];
  }
  const shareOf = netuids.map((n) => shares[n] ?? 0);
  for (let k = 0; k < rows.length; k++) {
    const { id, slots, amounts } = rows[k];
    let c = 0;
    for (let i = 0; i < slots.length; i++) {
      const t = totals[slots[i]];
      if (t > 0) c += shareOf[slots[i]] * (amounts[i] / t);
    }
    if (c > 0) control.set(id, c);
  }
  return control;
}

interface Holdings {
  id: PlayerId;
  player: Player;
  /** Each holding's subnet, as a slot of the table's `netuids`, and its amount, in the record's order. */
  slots: number[];
  amounts: number[];
}

interface HoldingsTable {
  rows: Holdings[];
  /** The subnets held, by slot (in the order first met). */
  netuids: string[];
}

/**
 * Every player's alpha holdings as numbers (the NPC miners left out), in player order, each in its
 * record's order. Kept for the last players record seen (a round's metrics read it twice), so the
 * amounts are parsed once; a table is only valid for the very records it was made from.
 */
let lastHoldings: { players: GameState["players"]; order: readonly PlayerId[]; table: HoldingsTable } | null = null;

const NONE: number[] = [];

function alphaHoldings(state: GameState): HoldingsTable {
  if (lastHoldings && lastHoldings.players === state.players && lastHoldings.order === state.playerOrder) return lastHoldings.table;
  const rows: Holdings[] = [];
  const netuids: string[] = [];
  const slotOf = new Map<string, number>();
  for (const id of state.playerOrder) {
    if (id === MINERS_ID) continue;
    const p = state.players[id];
    let slots = NONE;
    let amounts = NONE;
    for (const n in p.alpha) {
      if (slots === NONE) {
        slots = [];
        amounts = [];
      }
      let slot = slotOf.get(n);
      if (slot === undefined) {
        slotOf.set(n, (slot = netuids.length));
        netuids.push(n);
      }
      slots.push(slot);
      amounts.push(Number(p.alpha[n]));
    }
    rows.push({ id, player: p, slots, amounts });
  }
  const table = { rows, netuids };
  lastHoldings = { players: state.players, order: state.playerOrder, table };
  return table;
}

export function ecosystemMetrics(state: GameState, shares: Record<string, number>, control: Map<PlayerId, number>): EcosystemMetrics {
  const subnets = subnetList(state);
  const q = subnets.map((s) => trueQuality(s));
  const sh = subnets.map((s) => shares[s.netuid] ?? 0);
  const caps = subnets.map((s) => Number(s.price) * Number(s.alphaOut));
  const prices = new Map(subnets.map((s) => [s.netuid, Number(s.price)]));
  const stakeValue: number[] = [];
  const holdings = alphaHoldings(state);
  const priceOf = holdings.netuids.map((n) => prices.get(n) ?? 0);
  for (const { player: p, slots, amounts } of holdings.rows) {
    let v = Number(p.rootStake);
    for (let i = 0; i < slots.length; i++) v += amounts[i] * priceOf[slots[i]];
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
