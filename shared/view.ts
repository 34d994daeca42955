/**
 * What one player may see: the public market plus their own account and their own private
 * signals. This projection is the only thing the server sends a client and the only thing a bot
 * decides from, so it must never carry hidden game-layer fields: a subnet's `capability`,
 * research `pipeline`, `minerSkill` values or `minerStrength`, other validators' signals, or
 * anyone's committed-but-unrevealed `pendingWeights`.
 *
 * Pure; amounts stay canonical decimal strings. Every array and record is a fresh copy, so a
 * caller may mutate the view without touching the state.
 */
import { isImmune, stakeByValidator, subnetList } from "./access.js";
import type { RulesetName } from "./config.js";
import { amt } from "./decimal.js";
import { lockCost } from "./registration.js";
import { signalsFor } from "./signals.js";
import type { GameState, Netuid, Phase, Player, PlayerId, Subnet, ValidatorSignals } from "./state.js";
import { ROOT_NETUID } from "./state.js";

export interface PublicSubnet {
  readonly netuid: Netuid;
  readonly name: string;
  readonly owner: PlayerId;
  readonly registeredRound: number;
  readonly taoReserve: string;
  readonly alphaReserve: string;
  readonly alphaOut: string;
  readonly price: string;
  readonly priceEma: string;
  readonly flowEma: string;
  readonly emissionShare: string;
  readonly lastEmission: string;
  readonly priceHistory: string[];
  /** Product traction: the visible half of quality. */
  readonly product: number;
  /** Number of miner uids (valid weight targets are "0" .. String(minerCount - 1)). */
  readonly minerCount: number;
  /** Still inside its immunity period (cannot be pruned). */
  readonly immune: boolean;
}

export interface PublicValidator {
  readonly id: PlayerId;
  readonly name: string;
  /** Validator take, a fraction string. */
  readonly take: string;
  /** TAO staked on root through this validator (own plus delegated). */
  readonly rootStake: string;
  readonly npc: boolean;
}

export interface ViewConfig {
  readonly minStake: string;
  readonly poolFee: string;
  readonly minPoolReserve: string;
  readonly tempoBlocks: number;
  readonly subnetLimit: number;
  readonly immunityRounds: number;
}

export interface PlayerView {
  /** Rounds resolved so far (the round being played is round + 1). */
  readonly round: number;
  readonly totalRounds: number;
  readonly phase: Phase;
  readonly ruleset: RulesetName;
  /** The viewer's own account; null for an id that has not joined. */
  readonly me: Player | null;
  /** Sorted by netuid. */
  readonly subnets: PublicSubnet[];
  /** In registration order. */
  readonly validators: PublicValidator[];
  /** The viewer's own signals for the round being played (validators only). */
  readonly signals: ValidatorSignals | null;
  /**
   * Revealed weights (state.weights) averaged over validators, weighted by their root stake
   * (equally if none of the setters has root stake): netuid ("0" = root) -> target -> weight.
   * Each row is normalised first, so every inner record sums to 1.
   */
  readonly consensusWeights: Record<Netuid, Record<string, number>>;
  /** Lock cost a registration would pay now, TAO. */
  readonly lockCost: string;
  /** false when a subnet has already registered this round (one registration per round network-wide). */
  readonly registrationOpen: boolean;
  readonly config: ViewConfig;
}

function publicSubnet(state: GameState, s: GameState["subnets"][Netuid]): PublicSubnet {
  return {
    netuid: s.netuid,
    name: s.name,
    owner: s.owner,
    registeredRound: s.registeredRound,
    taoReserve: s.taoReserve,
    alphaReserve: s.alphaReserve,
    alphaOut: s.alphaOut,
    price: s.price,
    priceEma: s.priceEma,
    flowEma: s.flowEma,
    emissionShare: s.emissionShare,
    lastEmission: s.lastEmission,
    priceHistory: [...s.priceHistory],
    product: s.product,
    minerCount: s.minerSkill.length,
    immune: isImmune(state, s),
  };
}

function copyPlayer(p: Player): Player {
  const stakes: Record<Netuid, Record<PlayerId, string>> = {};
  for (const [n, book] of Object.entries(p.stakes)) stakes[n] = { ...book };
  return { ...p, alpha: { ...p.alpha }, stakes, effort: { ...p.effort }, affiliation: [...p.affiliation] };
}


/**
 * Public consensus per netuid: for each subnet, the last resolution's Yuma consensus over its miners
 * (NPC validators included); for root ("0"), the root-stake-weighted mean of the revealed root
 * weights of people. Revealed weights change only at a resolution, so the result is cached per
 * weights book (the stake snapshot of the first call in a round weights the root rows).
 */
const consensusCache = new WeakMap<object, Record<Netuid, Record<string, number>>>();

export function consensusWeights(state: GameState, rootStake: Map<PlayerId, number>): Record<Netuid, Record<string, number>> {
  const cached = consensusCache.get(state.weights);
  if (cached && sameSubnets(cached, state)) return cached;
  const out: Record<Netuid, Record<string, number>> = {};
  const acc: Record<string, number> = {};
  const rows: { stake: number; row: Record<string, number> }[] = [];
  for (const v of Object.keys(state.weights).sort()) {
    const raw = state.weights[v]?.[ROOT_NETUID];
    if (!raw) continue;
    let total = 0;
    for (const w of Object.values(raw)) if (Number.isFinite(w) && w > 0) total += w;
    if (!(total > 0) || !Number.isFinite(total)) continue;
    const row: Record<string, number> = {};
    for (const [k, w] of Object.entries(raw)) if (Number.isFinite(w) && w > 0) row[k] = w / total;
    rows.push({ stake: Math.max(0, rootStake.get(v) ?? 0), row });
  }
  const stakeSum = rows.reduce((t, r) => t + r.stake, 0);
  for (const { stake, row } of rows) {
    const f = stakeSum > 0 ? stake / stakeSum : 1 / rows.length;
    if (f === 0) continue;
    for (const [k, w] of Object.entries(row)) acc[k] = (acc[k] ?? 0) + f * w;
  }
  const keys = Object.keys(acc).sort((a, b) => Number(a) - Number(b));
  if (keys.length > 0) out[ROOT_NETUID] = Object.fromEntries(keys.map((k) => [k, acc[k]]));
  for (const sub of Object.values(state.subnets)) {
    const total = sub.consensus.reduce((a, b) => a + b, 0);
    if (!(total > 0)) continue;
    const row: Record<string, number> = {};
    sub.consensus.forEach((c, uid) => { if (c > 0) row[String(uid)] = c / total; });
    out[sub.netuid] = row;
  }
  consensusCache.set(state.weights, out);
  return out;
}

/** A cached answer is stale if subnets came or went (registration, pruning) since it was made. */
function sameSubnets(cached: Record<Netuid, Record<string, number>>, state: GameState): boolean {
  for (const sub of Object.values(state.subnets)) if (sub.consensus.length > 0 && !cached[sub.netuid]) return false;
  for (const n of Object.keys(cached)) if (n !== ROOT_NETUID && !state.subnets[n]) return false;
  return true;
}

/** Everything in a `PlayerView` that does not depend on who is looking. */
export type PublicView = Omit<PlayerView, "me" | "signals">;

/**
 * Public parts already built, per state object (states are immutable, so an entry never goes
 * stale). Each is frozen, consensusWeights aside (see consensusWeights), and shared by every
 * view of that state: the server builds a view per seat after each change, and bots all read
 * the same state.
 */
const publicCache = new WeakMap<GameState, PublicView>();

/** A subnet's public projection, per subnet object; immunity also depends on the round and the immunity setting. */
const subnetCache = new WeakMap<Subnet, { round: number; immunityRounds: number; view: PublicSubnet }>();

function cachedPublicSubnet(state: GameState, s: Subnet): PublicSubnet {
  const hit = subnetCache.get(s);
  if (hit && hit.round === state.round && hit.immunityRounds === state.config.immunityRounds) return hit.view;
  const view = publicSubnet(state, s);
  Object.freeze(view.priceHistory);
  Object.freeze(view);
  subnetCache.set(s, { round: state.round, immunityRounds: state.config.immunityRounds, view });
  return view;
}

/**
 * The public part of every player's view of `state` (round, market, validators, consensus,
 * registration, config), computed once per state object and then shared. Frozen: read it, or
 * copy what you change. `playerView` hands out fresh copies of it.
 */
export function publicView(state: GameState): PublicView {
  const hit = publicCache.get(state);
  if (hit) return hit;
  const rootByValidator = stakeByValidator(state, ROOT_NETUID);
  const rootNumbers = new Map<PlayerId, number>();
  for (const [v, s] of rootByValidator) rootNumbers.set(v, s.toNumber());
  const validators: PublicValidator[] = [];
  for (const id of state.validators) {
    const p = state.players[id];
    if (!p) continue;
    validators.push(Object.freeze({
      id, name: p.name, take: p.take ?? state.config.defaultTake,
      rootStake: amt(rootByValidator.get(id) ?? 0), npc: p.npc !== null,
    }));
  }
  const view: PublicView = {
    round: state.round,
    totalRounds: state.config.rounds,
    phase: state.phase,
    ruleset: state.ruleset,
    subnets: Object.freeze(subnetList(state).map((s) => cachedPublicSubnet(state, s))) as PublicSubnet[],
    validators: Object.freeze(validators) as PublicValidator[],
    consensusWeights: consensusWeights(state, rootNumbers),
    lockCost: amt(lockCost(state)),
    registrationOpen: state.lastRegistrationRound !== state.round,
    config: Object.freeze({
      minStake: state.config.minStake,
      poolFee: state.config.poolFee,
      minPoolReserve: state.config.minPoolReserve,
      tempoBlocks: state.config.tempoBlocks,
      subnetLimit: state.config.subnetLimit,
      immunityRounds: state.config.immunityRounds,
    }),
  };
  publicCache.set(state, Object.freeze(view));
  return view;
}

function ownSignals(state: GameState, playerId: PlayerId): ValidatorSignals | null {
  return state.players[playerId] && state.validators.includes(playerId) ? signalsFor(state, playerId) : null;
}

export function playerView(state: GameState, playerId: PlayerId): PlayerView {
  const player = state.players[playerId];
  const pub = publicView(state);
  return {
    round: pub.round,
    totalRounds: pub.totalRounds,
    phase: pub.phase,
    ruleset: pub.ruleset,
    me: player ? copyPlayer(player) : null,
    subnets: pub.subnets.map((s) => ({ ...s, priceHistory: [...s.priceHistory] })),
    validators: pub.validators.map((v) => ({ ...v })),
    signals: ownSignals(state, playerId),
    consensusWeights: pub.consensusWeights,
    lockCost: pub.lockCost,
    registrationOpen: pub.registrationOpen,
    config: { ...pub.config },
  };
}

/**
 * The same content as `playerView`, but nothing is copied: the public part is `publicView(state)`,
 * shared with every other view of the state and frozen, and `me` is the state's own player
 * object. For deciding many bots from one state: read-only (a strategy that wrote to it would
 * throw, and `botActions` would then send nothing).
 */
export function sharedView(state: GameState, playerId: PlayerId): PlayerView {
  return { ...publicView(state), me: state.players[playerId] ?? null, signals: ownSignals(state, playerId) };
}
