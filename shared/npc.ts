/**
 * NPC behaviour inside a resolution (game layer): traders whose intensity the scenario sets, the
 * miners' selling, and NPC validators' weights. NPCs trade through the same functions as people
 * (trade.ts), so their TAO is audited like anyone's. All randomness comes from the state's RNG.
 */
import { dec, type Dec, Decimal, floorRao } from "./decimal.js";
import { trueQuality } from "./quality.js";
import type { Rng } from "./rng.js";
import { type GameEvent, type GameState, MINERS_ID, type Netuid, type Player, type Subnet } from "./state.js";
import { stake, unstake } from "./trade.js";
import { subnetList } from "./access.js";

export interface MarketMood {
  /** Subnet momentum traders pile into this round (hype event). */
  hype?: Netuid;
  /** Subnets whose holders panic (exploit event). */
  panic: Netuid[];
}

/** Momentum of a subnet: current price against the price two rounds back. */
export function momentum(s: Subnet): number {
  const h = s.priceHistory;
  const ref = h.length >= 2 ? h[h.length - 2] : h[0];
  const r = Number(ref);
  return r > 0 ? Number(s.price) / r - 1 : 0;
}

function tryStake(state: GameState, p: Player, s: Subnet, tao: Dec, events: GameEvent[]): GameState {
  const amount = floorRao(Decimal.min(tao, p.tao));
  if (amount.lt(state.config.minStake)) return state;
  const r = stake(state, p, { type: "stake", subnet: Number(s.netuid), tao: amount.toString() }, false);
  if (!r.ok) return state;
  events.push(...r.value.events);
  return r.value.state;
}

function trySell(state: GameState, p: Player, s: Subnet, fraction: number, events: GameEvent[]): GameState {
  const held = dec(p.alpha[s.netuid] ?? "0");
  const amount = floorRao(held.mul(Math.min(1, fraction).toFixed(6)));
  if (amount.lte(0)) return state;
  const r = unstake(state, p, { type: "unstake", subnet: Number(s.netuid), alpha: amount.toString() }, false);
  if (!r.ok) return state;
  events.push(...r.value.events);
  return r.value.state;
}

/** Every NPC trader acts once, in join order. Returns the new state and the trades as events. */
export function npcTraderTurn(state: GameState, rng: Rng, mood: MarketMood): { state: GameState; events: GameEvent[] } {
  const events: GameEvent[] = [];
  const k = state.config.traderIntensity;
  let st = state;
  for (const id of state.playerOrder) {
    const kind = state.players[id].npc;
    if (kind !== "noise" && kind !== "momentum" && kind !== "fundamental" && kind !== "whale") continue;
    const subnets = subnetList(st);
    if (subnets.length === 0) break;
    const me = () => st.players[id];
    const tao = () => dec(me().tao);
    for (const netuid of mood.panic) {
      const s = st.subnets[netuid];
      if (s && kind !== "fundamental" && me().alpha[netuid]) st = trySell(st, me(), s, 0.6, events);
    }
    if (kind === "noise") {
      if (!rng.chance(0.7)) continue;
      const s = rng.pick(subnets);
      if (rng.chance(0.55)) st = tryStake(st, me(), s, tao().mul((rng.range(0.01, 0.04) * k).toFixed(6)), events);
      else {
        const held = Object.keys(me().alpha);
        if (held.length > 0) st = trySell(st, me(), st.subnets[rng.pick(held)], rng.range(0.1, 0.5), events);
      }
    } else if (kind === "momentum") {
      if (mood.hype && st.subnets[mood.hype]) {
        st = tryStake(st, me(), st.subnets[mood.hype], tao().mul((0.25 * k).toFixed(6)), events);
      }
      const ranked = subnets.map((s) => [s, momentum(s)] as const).sort((a, b) => b[1] - a[1]);
      for (const [s, m] of ranked) if (m < -0.02 && me().alpha[s.netuid]) st = trySell(st, me(), st.subnets[s.netuid], 0.5, events);
      const [top, m] = ranked[0];
      if (m > 0.02) st = tryStake(st, me(), st.subnets[top.netuid], tao().mul((0.1 * k).toFixed(6)), events);
    } else if (kind === "fundamental") {
      const signal = subnets.map((s) => trueQuality(s) * rng.lognormal(0.3));
      const qTotal = signal.reduce((a, b) => a + b, 0);
      const tTotal = subnets.reduce((a, s) => a + Number(s.taoReserve), 0);
      const ratio = subnets.map((s, i) => (signal[i] / qTotal) / (Number(s.taoReserve) / tTotal));
      let best = 0;
      ratio.forEach((r, i) => { if (r > ratio[best]) best = i; });
      subnets.forEach((s, i) => { if (ratio[i] < 0.8 && me().alpha[s.netuid]) st = trySell(st, me(), st.subnets[s.netuid], 0.5, events); });
      if (ratio[best] > 1.2) st = tryStake(st, me(), st.subnets[subnets[best].netuid], tao().mul((0.1 * k).toFixed(6)), events);
    } else if (kind === "whale") {
      if (Object.keys(me().alpha).length === 0 && tao().gt(0) && state.round === 0) {
        const byQuality = [...subnets].sort((a, b) => trueQuality(b) - trueQuality(a)).slice(0, 2);
        for (const s of byQuality) st = tryStake(st, me(), st.subnets[s.netuid], tao().mul("0.1"), events);
      }
    }
  }
  return { state: st, events };
}

/** The whale sells everything it holds in one subnet (its largest if none named). */
export function whaleExit(state: GameState, netuid: Netuid | undefined, events: GameEvent[]): GameState {
  let st = state;
  for (const id of state.playerOrder) {
    const p = st.players[id];
    if (p.npc !== "whale") continue;
    const held = Object.entries(p.alpha).sort((a, b) => Number(b[1]) * Number(st.subnets[b[0]]?.price ?? 0) - Number(a[1]) * Number(st.subnets[a[0]]?.price ?? 0));
    const target = netuid && p.alpha[netuid] ? netuid : held[0]?.[0];
    if (!target || !st.subnets[target]) continue;
    st = trySell(st, p, st.subnets[target], 1, events);
  }
  return st;
}

/** Miners sell part of their alpha each round to pay their costs: a steady sell pressure. */
export function minersSell(state: GameState, events: GameEvent[]): GameState {
  let st = state;
  const fraction = state.config.minerSellFraction;
  if (fraction <= 0) return st;
  for (const s of subnetList(state)) {
    const sold: GameEvent[] = [];
    st = trySell(st, st.players[MINERS_ID], st.subnets[s.netuid], fraction, sold);
    // Miner selling is routine: keep it out of the feed.
    void sold;
  }
  void events;
  return st;
}

/** An honest NPC validator's weights over a subnet's miners: their skill seen through noise. */
export function npcMinerWeights(s: Subnet, rng: Rng, sigma: number): Record<string, number> {
  const w: Record<string, number> = {};
  s.minerSkill.forEach((k, uid) => { w[String(uid)] = k * rng.lognormal(sigma); });
  return w;
}

/**
 * npcMinerWeights as a list indexed by miner uid (the same draws): Yuma reads it like the record.
 * Written into `out` when given (a caller's reused row of exactly that many miners).
 */
export function npcMinerWeightList(s: Subnet, rng: Rng, sigma: number): number[];
export function npcMinerWeightList(s: Subnet, rng: Rng, sigma: number, out: Float64Array): Float64Array;
export function npcMinerWeightList(s: Subnet, rng: Rng, sigma: number, out?: Float64Array): number[] | Float64Array {
  const skills = s.minerSkill;
  const w = out ?? new Array<number>(skills.length);
  for (let uid = 0; uid < skills.length; uid++) w[uid] = skills[uid] * rng.lognormal(sigma);
  return w;
}

/**
 * A root validator's weights over subnets (root-weights rule): quality seen through noise, and for
 * the cartel (validators with an affiliation) a pull toward their own subnets.
 */
export function npcRootWeights(state: GameState, v: Player, rng: Rng, sigma: number): Record<string, number> {
  const subnets = subnetList(state);
  const honest = subnets.map((s) => trueQuality(s) * rng.lognormal(sigma));
  const total = honest.reduce((a, b) => a + b, 0) || 1;
  const w: Record<string, number> = {};
  const affiliated = v.affiliation.filter((n) => state.subnets[n]);
  const bias = affiliated.length > 0 ? state.config.cartelBias : 0;
  subnets.forEach((s, i) => {
    const mine = affiliated.includes(s.netuid) ? 1 / affiliated.length : 0;
    w[s.netuid] = (1 - bias) * (honest[i] / total) + bias * mine;
  });
  return w;
}
