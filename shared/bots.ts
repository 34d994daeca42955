/**
 * Bot strategies: pure functions from what a player may see (`PlayerView`) plus a seeded RNG to the
 * actions it would send this round. The actions go through the normal `applyAction` path, so bots
 * obey exactly the rules people do; the server, the tests and the load tools all use them.
 *
 * Each strategy is small and plausible rather than optimal. They are memoryless: anything a bot
 * "remembers" is read back from its account (e.g. a whale's cost basis from its grant). Every
 * amount is floored to the rao, at least `minStake` (stakes), at most the balance or holding,
 * and previewed with the same pool functions the engine fills with (after a float pre-check that
 * only ever answers "surely fills"), so a bot never sends a trade the pool would refuse. Trades in
 * one list touch distinct subnets, so each preview stays valid when the actions are applied in
 * order. A strategy never throws: on any surprise it sends nothing.
 *
 * Strategies read the view only, so many bots can decide from one `sharedView` of a state (its
 * public part built once); what they derive from the public market alone is then computed once per
 * view too (see `memo`). With many subnets, validator bots refresh a rotating slice of their miner
 * weights each round (see WEIGHT_REFRESH_SUBNETS).
 */
import type { Action, ActionOf } from "./actions.js";
import { amt, dec, type Dec, floorRao, ZERO } from "./decimal.js";
import { fillSwap, surelyFills, type SwapParams } from "./pool.js";
import { Rng } from "./rng.js";
import type { Netuid } from "./state.js";
import type { PlayerView, PublicSubnet } from "./view.js";

export const BOT_STRATEGIES = [
  "rootSaver", "valueInvestor", "momentum", "noise", "panicSeller", "whale",
  "honestValidator", "lazyValidator", "cartelValidator", "researchBuilder", "productBuilder",
] as const;
export type BotStrategy = (typeof BOT_STRATEGIES)[number];
export type BotRole = "staker" | "validator" | "builder";

export function isBotStrategy(s: string): s is BotStrategy {
  return (BOT_STRATEGIES as readonly string[]).includes(s);
}

/** The role a bot should join with for its strategy to make sense. */
export function botRole(s: BotStrategy): BotRole {
  switch (s) {
    case "honestValidator":
    case "lazyValidator":
    case "cartelValidator":
      return "validator";
    case "researchBuilder":
    case "productBuilder":
      return "builder";
    default:
      return "staker";
  }
}

/** The actions `strategy` takes this round; [] when there is nothing sensible to do (or outside the acting phase). */
export function botActions(strategy: BotStrategy, view: PlayerView, rng: Rng): Action[] {
  try {
    const me = view.me;
    if (!me || view.phase !== "acting" || me.role === "spectator") return [];
    const role = botRole(strategy);
    if (role !== "staker" && me.role !== role) return [];
    return STRATEGIES[strategy](new Ctx(view), rng);
  } catch {
    return [];
  }
}

// --- helpers ---------------------------------------------------------------------------------

/** What every strategy needs from the view, with the pool previews the engine itself uses. */
class Ctx {
  readonly me: NonNullable<PlayerView["me"]>;
  readonly params: SwapParams;
  readonly minStake: Dec;
  readonly tao: Dec;
  /** The pool parameters as numbers, for the quick pre-check (surelyFills). */
  private readonly feeNumber: number;
  private readonly minReserveNumber: number;
  constructor(readonly view: PlayerView) {
    if (!view.me) throw new Error("no player");
    this.me = view.me;
    this.params = { fee: dec(view.config.poolFee), minReserve: dec(view.config.minPoolReserve) };
    this.feeNumber = Number(view.config.poolFee);
    this.minReserveNumber = Number(view.config.minPoolReserve);
    this.minStake = dec(view.config.minStake);
    this.tao = dec(view.me.tao);
  }

  held(netuid: Netuid): Dec {
    return dec(this.me.alpha[netuid] ?? "0");
  }

  /** Subnets the player holds alpha in, in the view's (netuid) order. */
  holdings(): PublicSubnet[] {
    const out: PublicSubnet[] = [];
    const byNetuid = subnetIndex(this.view.subnets);
    const at: number[] = [];
    for (const netuid of Object.keys(this.me.alpha)) {
      const i = byNetuid.get(netuid);
      if (i !== undefined && this.held(netuid).gt(0)) at.push(i);
    }
    for (const i of at.sort((a, b) => a - b)) out.push(this.view.subnets[i]);
    return out;
  }

  /** A stake of `fraction` of free TAO into `s`, or null if it would be below the minimum or refused by the pool. */
  stake(s: PublicSubnet, fraction: number, validator?: string): Action | null {
    return this.stakeTao(s, this.tao.mul(clampFraction(fraction)), validator);
  }

  stakeTao(s: PublicSubnet, want: Dec, validator?: string): Action | null {
    const amount = floorRao(want.gt(this.tao) ? this.tao : want);
    if (amount.lt(this.minStake) || amount.lte(0)) return null;
    const tao = amt(amount);
    if (!this.fills(true, s, tao, amount)) return null;
    const a: ActionOf<"stake"> = { type: "stake", subnet: Number(s.netuid), tao };
    return validator === undefined ? a : { ...a, validator };
  }

  /**
   * An unstake of `fraction` of the alpha held in `s`. If the pool cannot take that much (reserve
   * floor), tries half as much a few times; null when nothing sensible can be sold.
   */
  unstake(s: PublicSubnet, fraction: number): Action | null {
    const held = this.held(s.netuid);
    let amount = floorRao(held.mul(clampFraction(fraction)));
    for (let i = 0; i < 8 && amount.gt(0); i++) {
      const alpha = amt(amount);
      if (this.fills(false, s, alpha, amount)) return { type: "unstake", subnet: Number(s.netuid), alpha };
      amount = floorRao(amount.div(2));
    }
    return null;
  }

  /** Whether the pool would fill the swap (the quote's checks): the quick float pre-check, else the exact fill. */
  private fills(buy: boolean, s: PublicSubnet, amount: string, exact: Dec): boolean {
    return surelyFills(buy, s, amount, this.feeNumber, this.minReserveNumber) || fillSwap(buy, s, exact, this.params).ok;
  }

  stakeRoot(fraction: number, validator?: string): Action | null {
    const amount = floorRao(this.tao.mul(clampFraction(fraction)));
    if (amount.lt(this.minStake) || amount.lte(0)) return null;
    const a: ActionOf<"stakeRoot"> = { type: "stakeRoot", tao: amt(amount) };
    return validator === undefined ? a : { ...a, validator };
  }

  subnet(netuid: Netuid): PublicSubnet | undefined {
    const i = subnetIndex(this.view.subnets).get(netuid);
    return i === undefined ? undefined : this.view.subnets[i];
  }
}

/**
 * Facts about a view's subnet list that every bot reading a shared view (`sharedView`: one frozen
 * list for all) would otherwise recompute: computed once per list. Only deeply frozen lists are
 * cached, since only they cannot change; anything else is computed afresh on every call.
 */
const listCache = new WeakMap<readonly PublicSubnet[], Map<string, unknown>>();

function memo<T>(subnets: readonly PublicSubnet[], key: string, compute: () => T): T {
  let m = listCache.get(subnets);
  if (m?.has(key)) return m.get(key) as T;
  const value = compute();
  if (!m) {
    if (!Object.isFrozen(subnets) || !subnets.every((s) => Object.isFrozen(s) && Object.isFrozen(s.priceHistory))) return value;
    listCache.set(subnets, (m = new Map()));
  }
  m.set(key, value);
  return value;
}

/** netuid -> position in a view's subnet list. */
function subnetIndex(subnets: readonly PublicSubnet[]): ReadonlyMap<Netuid, number> {
  return memo(subnets, "index", () => {
    const m = new Map<Netuid, number>();
    for (let i = 0; i < subnets.length; i++) if (!m.has(subnets[i].netuid)) m.set(subnets[i].netuid, i);
    return m;
  });
}

function clampFraction(f: number): string {
  const x = Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
  return x.toFixed(9);
}

function compact(xs: (Action | null | undefined)[]): Action[] {
  return xs.filter((a): a is Action => a !== null && a !== undefined);
}

function num(s: string): number {
  const x = Number(s);
  return Number.isFinite(x) ? x : 0;
}

/** End-of-round prices with the current price appended when it has moved since. */
function priceSeries(s: PublicSubnet): number[] {
  const xs = s.priceHistory.map(num);
  const p = num(s.price);
  if (xs.length === 0 || xs[xs.length - 1] !== p) xs.push(p);
  return xs;
}

/**
 * trend and lastMove of a frozen subnet (sharedView: one object read by every bot), computed once.
 * Anything that could change is not cached.
 */
const movesCache = new WeakMap<PublicSubnet, { trend: number; lastMove: number }>();

function moves(s: PublicSubnet): { trend: number; lastMove: number } {
  const hit = movesCache.get(s);
  if (hit) return hit;
  const xs = priceSeries(s);
  const n = xs.length;
  const out = {
    trend: n >= 2 && xs[0] > 0 ? xs[n - 1] / xs[0] - 1 : 0,
    lastMove: n >= 2 && xs[n - 2] > 0 ? xs[n - 1] / xs[n - 2] - 1 : 0,
  };
  if (Object.isFrozen(s) && Object.isFrozen(s.priceHistory)) movesCache.set(s, out);
  return out;
}

/** Relative price change over the whole stored history. */
function trend(s: PublicSubnet): number {
  return moves(s).trend;
}

/** Relative price change over the latest round (or since the latest round closed). */
function lastMove(s: PublicSubnet): number {
  return moves(s).lastMove;
}

function argBest<T>(xs: readonly T[], score: (x: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const x of xs) {
    const v = score(x);
    if (Number.isFinite(v) && v > bestScore) {
      best = x;
      bestScore = v;
    }
  }
  return best;
}

function positive(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}

/** A weights record with at least one positive entry, or null. */
function validWeights(w: Record<string, number>): Record<string, number> | null {
  const out: Record<string, number> = {};
  let total = 0;
  for (const k of Object.keys(w)) {
    const x = positive(w[k]);
    if (x > 0) {
      out[k] = x;
      total += x;
    }
  }
  return total > 0 && Number.isFinite(total) ? out : null;
}

function setWeights(subnet: Netuid, w: Record<string, number>): Action | null {
  const weights = validWeights(w);
  return weights ? setValidWeights(subnet, weights) : null;
}

/** setWeights for weights validWeights already returned (validating them again changes nothing). */
function setValidWeights(subnet: Netuid, weights: Record<string, number>): Action {
  return { type: "setWeights", subnet: Number(subnet), weights };
}

function equalMinerWeights(s: PublicSubnet): Record<string, number> {
  return Object.fromEntries(Array.from({ length: s.minerCount }, (_, uid) => [String(uid), 1]));
}

/** Miner weights from the validator's own signals for a subnet (only existing uids). */
function signalMinerWeights(view: PlayerView, s: PublicSubnet): Record<string, number> | null {
  const xs = view.signals?.miners[s.netuid];
  if (!xs) return null;
  const w: Record<string, number> = {};
  xs.forEach((x, uid) => { if (uid < s.minerCount) w[String(uid)] = positive(x); });
  return validWeights(w);
}

/** Root weights over the current subnets from the validator's own subnet signals. */
function signalRootWeights(view: PlayerView): Record<string, number> | null {
  const sig = view.signals?.subnets;
  if (!sig) return null;
  const w: Record<string, number> = {};
  for (const s of view.subnets) w[s.netuid] = positive(sig[s.netuid]);
  return validWeights(w);
}

/** Validators stake their free TAO on root through themselves: stake weight is what makes weights count. */
function selfStake(c: Ctx): Action | null {
  const self = c.view.validators.some((v) => v.id === c.me.id);
  return self ? c.stakeRoot(1, c.me.id) : null;
}

/** FNV-1a, for choices that must stay fixed across rounds without memory. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// --- strategies ------------------------------------------------------------------------------

type Strategy = (c: Ctx, rng: Rng) => Action[];

/** Stakes most free TAO on root (the safe, TAO-denominated yield) and nothing else. */
const rootSaver: Strategy = (c, rng) => compact([c.stakeRoot(rng.range(0.85, 0.95))]);

/**
 * Public fundamentals only: value = product traction × emission share (equal shares before the
 * first emission), against the price. Buys the best value per price with ~20% of free TAO and
 * sells half of its worst holding when that one is below the average, or below half the best.
 */
const valueInvestor: Strategy = (c, rng) => {
  const { subnets, score, mean, best } = valueBoard(c.view.subnets);
  if (subnets.length === 0) return [];
  const value = (s: PublicSubnet) => score.get(s.netuid) ?? 0;
  const worst = argBest(c.holdings().filter((s) => s !== best && score.has(s.netuid)), (s) => -value(s));
  const out: (Action | null)[] = [];
  if (worst && best && (value(worst) < mean || value(worst) < 0.5 * value(best))) out.push(c.unstake(worst, 0.5));
  if (best && value(best) > 0) out.push(c.stake(best, rng.range(0.15, 0.25)));
  return compact(out);
};

/** valueInvestor's reading of the public market: the priced subnets, their value per price, its mean, the best. */
function valueBoard(all: readonly PublicSubnet[]): { subnets: PublicSubnet[]; score: Map<Netuid, number>; mean: number; best: PublicSubnet | undefined } {
  return memo(all, "value", () => {
    const subnets = all.filter((s) => num(s.price) > 0);
    const shares = subnets.map((s) => num(s.emissionShare));
    const anyShare = shares.some((x) => x > 0);
    const score = new Map<Netuid, number>();
    subnets.forEach((s, i) => {
      const share = anyShare ? shares[i] : 1 / subnets.length;
      score.set(s.netuid, (positive(s.product) * share) / num(s.price));
    });
    const value = (s: PublicSubnet) => score.get(s.netuid) ?? 0;
    const mean = subnets.reduce((t, s) => t + value(s), 0) / subnets.length;
    return { subnets, score, mean, best: argBest(subnets, value) };
  });
}

/**
 * The subnets with a finite trend, best first (ties in list order): the first one not excluded is
 * what argBest(list without the excluded, trend) picks.
 */
function byTrend(subnets: readonly PublicSubnet[]): PublicSubnet[] {
  return memo(subnets, "trend", () => subnets
    .map((s) => [s, trend(s)] as const)
    .filter(([, t]) => Number.isFinite(t))
    .sort((a, b) => b[1] - a[1])
    .map(([s]) => s));
}

/** Buys the subnet with the best price trend over its history; sells half of holdings that fell. */
const momentum: Strategy = (c, rng) => {
  const out: (Action | null)[] = [];
  const sold = new Set<Netuid>();
  for (const s of c.holdings()) {
    if (lastMove(s) < -0.02 || trend(s) < -0.05) {
      out.push(c.unstake(s, 0.5));
      sold.add(s.netuid);
    }
  }
  const best = byTrend(c.view.subnets).find((s) => !sold.has(s.netuid));
  if (best && trend(best) > 0.01) out.push(c.stake(best, rng.range(0.08, 0.15)));
  return compact(out);
};

/** Random small trades: maybe a stake of a few % of free TAO, maybe a partial sale of a holding. */
const noise: Strategy = (c, rng) => {
  const subnets = c.view.subnets;
  if (subnets.length === 0) return [];
  const out: (Action | null)[] = [];
  let stakeTarget: Netuid | undefined;
  if (rng.chance(0.6)) {
    const s = rng.pick(subnets);
    stakeTarget = s.netuid;
    out.push(c.stake(s, rng.range(0.02, 0.08)));
  }
  const held = c.holdings().filter((s) => s.netuid !== stakeTarget);
  if (held.length > 0 && rng.chance(0.4)) out.push(c.unstake(rng.pick(held), rng.range(0.1, 0.5)));
  return compact(out);
};

/**
 * Buys a spread of subnets in the round it joined, then holds; sells everything in a subnet whose
 * price fell more than 10% in a round.
 */
const panicSeller: Strategy = (c, rng) => {
  const held = c.holdings();
  if (held.length === 0) {
    if (c.view.round !== c.me.joinedRound || c.view.subnets.length === 0) return [];
    const pool = [...c.view.subnets];
    const picks: PublicSubnet[] = [];
    for (let k = 0; k < 3 && pool.length > 0; k++) picks.push(pool.splice(rng.int(pool.length), 1)[0]);
    const each = c.tao.mul("0.6").div(picks.length);
    return compact(picks.map((s) => c.stakeTao(s, each)));
  }
  return compact(held.filter((s) => lastMove(s) < -0.1).map((s) => c.unstake(s, 1)));
};

/**
 * One big stake (half its TAO) into one of the deepest pools while it has never traded; exits that
 * position fully once the price is 30% over its cost basis or after round 5.
 */
const whale: Strategy = (c, rng) => {
  const held = c.holdings();
  if (held.length === 0) {
    const untouched = c.tao.eq(c.me.granted) && dec(c.me.rootStake).isZero();
    if (!untouched || c.view.round > 2) return [];
    const deep = [...c.view.subnets].sort((a, b) => dec(b.taoReserve).cmp(dec(a.taoReserve)) || Number(a.netuid) - Number(b.netuid)).slice(0, 3);
    if (deep.length === 0) return [];
    return compact([c.stake(rng.pick(deep), 0.5)]);
  }
  // Cost basis from the account: the TAO that left the free balance, over the alpha held.
  const spent = dec(c.me.granted).minus(c.tao).minus(c.me.rootStake);
  const alpha = held.reduce((t, s) => t.plus(c.held(s.netuid)), ZERO);
  const cost = spent.gt(0) && alpha.gt(0) ? spent.div(alpha).toNumber() : 0;
  const out: (Action | null)[] = [];
  for (const s of held) {
    const up = cost > 0 && num(s.price) >= 1.3 * cost;
    if (up || c.view.round >= 5) out.push(c.unstake(s, 1));
  }
  return compact(out);
};

/**
 * At most this many subnets get fresh miner weights from a validator bot in one round. Revealed
 * weights persist (as on chain, where a validator need not set them every tempo), so with more
 * subnets than this a bot refreshes a rotating slice each round: every subnet in the round it
 * starts playing, then each subnet every ⌈n/16⌉ rounds. With up to 16 subnets it sets all of
 * them every round.
 */
export const WEIGHT_REFRESH_SUBNETS = 16;

/** The subnets whose miner weights a validator bot sends this round (see WEIGHT_REFRESH_SUBNETS); memoryless. */
export function weightTargets(view: PlayerView): PublicSubnet[] {
  const subnets = view.subnets;
  if (!view.me || subnets.length <= WEIGHT_REFRESH_SUBNETS || view.round <= view.me.joinedRound) return subnets;
  const period = Math.ceil(subnets.length / WEIGHT_REFRESH_SUBNETS);
  const slot = (hash32(view.me.id) + view.round) % period;
  return subnets.filter((s) => Number(s.netuid) % period === slot);
}

/** Stakes its TAO on root through itself; weights the subnets' miners (weightTargets) and the subnets (root) from its signals. */
const honestValidator: Strategy = (c) => {
  const out: (Action | null)[] = [selfStake(c)];
  for (const s of weightTargets(c.view)) {
    const w = signalMinerWeights(c.view, s);
    if (w) out.push(setValidWeights(s.netuid, w));
  }
  const root = signalRootWeights(c.view);
  if (root) out.push(setValidWeights("0", root));
  return compact(out);
};

/** Copies the revealed consensus (equal weights where there is none yet); does no evaluation of its own. */
const lazyValidator: Strategy = (c) => {
  const out: (Action | null)[] = [selfStake(c)];
  const cw = c.view.consensusWeights;
  for (const s of weightTargets(c.view)) {
    const w: Record<string, number> = {};
    for (const [uid, x] of Object.entries(cw[s.netuid] ?? {})) if (Number(uid) < s.minerCount && /^\d+$/.test(uid)) w[uid] = x;
    const valid = validWeights(w);
    out.push(valid ? setValidWeights(s.netuid, valid) : setWeights(s.netuid, equalMinerWeights(s)));
  }
  if (c.view.subnets.length > 0) {
    const current = new Set(c.view.subnets.map((s) => s.netuid));
    const w: Record<string, number> = {};
    for (const [n, x] of Object.entries(cw["0"] ?? {})) if (current.has(n)) w[n] = x;
    out.push(setWeights("0", validWeights(w) ?? Object.fromEntries(c.view.subnets.map((s) => [s.netuid, 1]))));
  }
  return compact(out);
};

/** The one or two subnets a cartel validator favours: fixed per player (rendezvous hash), stable while they exist. */
export function cartelTargets(playerId: string, subnets: readonly PublicSubnet[]): Netuid[] {
  const count = subnets.length >= 2 && hash32(`${playerId}#count`) % 2 === 1 ? 2 : 1;
  return [...subnets]
    .map((s) => ({ netuid: s.netuid, h: hash32(`${playerId}#${s.netuid}`) }))
    .sort((a, b) => b.h - a.h || Number(a.netuid) - Number(b.netuid))
    .slice(0, count)
    .map((x) => x.netuid);
}

/**
 * Honest miner weights, but root weights concentrated (90%) on one or two subnets picked once at
 * random. "Once" without memory: the pick is seeded from the player id, not from the per-round RNG.
 */
const cartelValidator: Strategy = (c) => {
  const out: (Action | null)[] = [selfStake(c)];
  for (const s of weightTargets(c.view)) {
    const w = signalMinerWeights(c.view, s);
    out.push(w ? setValidWeights(s.netuid, w) : setWeights(s.netuid, equalMinerWeights(s)));
  }
  if (c.view.subnets.length > 0) {
    const favoured = new Set(cartelTargets(c.me.id, c.view.subnets));
    const honest = signalRootWeights(c.view) ?? Object.fromEntries(c.view.subnets.map((s) => [s.netuid, 1]));
    const honestTotal = Object.values(honest).reduce((a, b) => a + b, 0) || 1;
    const w: Record<string, number> = {};
    for (const s of c.view.subnets) {
      w[s.netuid] = 0.1 * ((honest[s.netuid] ?? 0) / honestTotal) + (favoured.has(s.netuid) ? 0.9 / favoured.size : 0);
    }
    out.push(setWeights("0", w));
  }
  return compact(out);
};

const NAME_HEADS = ["Deep", "Open", "Swift", "Neural", "Bright", "Silent", "Prime", "Hyper", "Meta", "Quantum", "Solar", "Iron"];
const NAME_TAILS = ["Mind", "Grid", "Works", "Labs", "Mesh", "Forge", "Engine", "Signal", "Vision", "Stack", "Weave", "Scale"];

/** A made-up subnet name not yet taken (case-insensitive), at most 24 characters. */
export function botSubnetName(rng: Rng, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  const base = `${rng.pick(NAME_HEADS)}${rng.pick(NAME_TAILS)}`;
  if (!lower.has(base.toLowerCase())) return base;
  for (let k = 2; k < 10_000; k++) {
    const candidate = `${base} ${k}`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
  return `${base} ${rng.int(1e9)}`;
}

function builder(research: number, product: number): Strategy {
  return (c, rng) => {
    const out: (Action | null)[] = [];
    const e = c.me.effort;
    if (Math.abs(e.research - research) > 1e-9 || Math.abs(e.product - product) > 1e-9) {
      out.push({ type: "setEffort", research, product });
    }
    const own = c.view.subnets.filter((s) => s.owner === c.me.id);
    if (own.length === 0) {
      const full = c.view.subnets.length >= c.view.config.subnetLimit && c.view.subnets.every((s) => s.immune);
      if (c.view.registrationOpen && !full && c.tao.gte(c.view.lockCost)) {
        out.push({ type: "registerSubnet", name: botSubnetName(rng, c.view.subnets.map((s) => s.name)) });
      }
    } else if (c.tao.gt(dec(c.me.granted).mul("0.1"))) {
      // Back its own subnet with part of what is left (skin in the game, and it buys the owner's alpha cheap).
      out.push(c.stake(own[0], rng.range(0.2, 0.35)));
    }
    return compact(out);
  };
}

const STRATEGIES: Record<BotStrategy, Strategy> = {
  rootSaver,
  valueInvestor,
  momentum,
  noise,
  panicSeller,
  whale,
  honestValidator,
  lazyValidator,
  cartelValidator,
  researchBuilder: builder(0.8, 0.2),
  productBuilder: builder(0.2, 0.8),
};
