/**
 * The game state: plain, serialisable JSON. Amounts are canonical decimal strings (see decimal.ts);
 * game-layer quantities that are not money (quality, effort, weights) are plain numbers.
 * Nothing here is a class, so the state can be hashed, logged, sent and replayed as is.
 */
import type { GameConfig, RulesetName } from "./config.js";

export type PlayerId = string;
/** Netuids are decimal strings as record keys; "0" is root. */
export type Netuid = string;
export const ROOT_NETUID: Netuid = "0";
/** The actor id the engine accepts host actions from (the server maps the host seat to it). */
export const HOST_ID: PlayerId = "@host";
/** The NPC account that holds every subnet's miner alpha (the miners are NPCs, not players). */
export const MINERS_ID: PlayerId = "@miners";

export const ROLES = ["builder", "staker", "validator", "spectator"] as const;
export type Role = (typeof ROLES)[number];
export const NPC_KINDS = ["validator", "builder", "miners", "noise", "momentum", "fundamental", "whale"] as const;
export type NpcKind = (typeof NPC_KINDS)[number];
export type Phase = "lobby" | "acting" | "ended";
export type RootClaimMode = "swap" | "keep";

export interface Effort {
  /** Fractions of the builder's effort this round; research + product = 1. */
  readonly research: number;
  readonly product: number;
}

export interface Player {
  readonly id: PlayerId;
  readonly name: string;
  readonly role: Role;
  /** null for a person; the kind of NPC otherwise (NPCs are players so the audit covers their TAO). */
  readonly npc: NpcKind | null;
  /** Free TAO. */
  readonly tao: string;
  /** TAO staked on root, summed over validators. */
  readonly rootStake: string;
  /** Alpha held per subnet, summed over validators (only non-zero entries). */
  readonly alpha: Readonly<Record<Netuid, string>>;
  /** Positions: netuid -> validator (hotkey) id -> amount (TAO for root "0", alpha otherwise). */
  readonly stakes: Readonly<Record<Netuid, Readonly<Record<PlayerId, string>>>>;
  /** Validator take (fraction string), validators only. */
  readonly take: string | null;
  readonly rootClaim: RootClaimMode;
  readonly effort: Effort;
  /** NPC validators under root-weights: subnets they favour (the cartel). */
  readonly affiliation: readonly Netuid[];
  readonly joinedRound: number;
  /** Net TAO the player put into the game (starting grant), for profit figures. */
  readonly granted: string;
}

export interface Subnet {
  readonly netuid: Netuid;
  readonly name: string;
  readonly owner: PlayerId;
  readonly registeredRound: number;
  readonly taoReserve: string;
  readonly alphaReserve: string;
  /** Alpha outstanding (staked), = Σ positions; AlphaOut on chain. */
  readonly alphaOut: string;
  /** Alpha minted minus burned or recycled (= alphaReserve + alphaOut). */
  readonly alphaIssued: string;
  /** Spot price T/A, TAO per alpha, rounded down to the rao. */
  readonly price: string;
  readonly priceEma: string;
  /** EMA of net TAO flow per round, TAO. */
  readonly flowEma: string;
  /** Net TAO staked minus unstaked this round (user trades only), TAO. */
  readonly flowThisRound: string;
  /** Share of the last round's TAO emission, a fraction string. */
  readonly emissionShare: string;
  /** TAO the subnet's pool got last round (tao_in plus excess). */
  readonly lastEmission: string;
  readonly locked: string;
  /** Yuma consensus weight per miner uid from the last resolution (public once revealed). */
  readonly consensus: readonly number[];
  /** Prices at the end of recent rounds, for sparklines. */
  readonly priceHistory: readonly string[];
  // --- game layer: hidden from clients (the server projects only public fields) ---
  /** Research-built capability (hidden): slow, compounding. */
  readonly capability: number;
  /** Research under way, maturing in order: index 0 lands next round. */
  readonly pipeline: readonly number[];
  /** Product traction (public): fast, visible, decaying. */
  readonly product: number;
  /** Miners drawn by emission: speeds progress. */
  readonly minerStrength: number;
  /** Fixed relative skill of each miner uid, the ground truth validators try to rank. */
  readonly minerSkill: readonly number[];
}

/** Weights: validator id -> netuid -> target (miner uid, or netuid for root "0") -> weight. */
export type WeightBook = Readonly<Record<PlayerId, Readonly<Record<Netuid, Readonly<Record<string, number>>>>>>;

/**
 * What the state keeps of a person validator's signals: the seed and noise level they are drawn
 * from (`signalsFor` draws them). Drawing on demand costs one draw per look instead of one per
 * validator, subnet and miner every round; true quality does not change within a round, so the
 * drawn signals are the same whenever they are drawn.
 */
export interface SignalSeed {
  readonly round: number;
  readonly seed: readonly number[];
  readonly sigma: number;
}

export interface ValidatorSignals {
  readonly round: number;
  /** Noisy estimate of each subnet's true quality. */
  readonly subnets: Readonly<Record<Netuid, number>>;
  /** Noisy estimate of each miner's performance, per subnet. */
  readonly miners: Readonly<Record<Netuid, readonly number[]>>;
}

export interface GameEvent {
  readonly round: number;
  readonly kind: string;
  readonly text: string;
  readonly subnet?: Netuid;
  readonly player?: PlayerId;
}

/**
 * What one person's pool trades in the round being played cost them, in TAO, against trading at
 * each trade's pre-trade spot price. Informational only: the fees stay in the pools' reserves and
 * the slippage is simply the price the trader got, so no TAO is counted here that is not also in
 * the balances.
 */
export interface TradeCost {
  /** Pool fees: a stake's fee is TAO; an unstake's fee is alpha, valued at the pre-trade spot price. */
  readonly fees: string;
  /** Value lost against executing at the pre-trade spot price, the fee excluded (≥ 0). */
  readonly slippage: string;
}

export interface GameState {
  readonly version: 1;
  readonly config: GameConfig;
  readonly seed: number;
  /** pure-rand xoroshiro128+ state; advanced only inside engine steps. */
  readonly rng: readonly number[];
  readonly phase: Phase;
  /** Rounds resolved so far; the round being played is round + 1. */
  readonly round: number;
  readonly ruleset: RulesetName;
  readonly block: number;
  /** TotalIssuance (drives the halving), TAO. */
  readonly issuance: string;
  /** TAO that exists on the wider chain but not in this game (the faucet players' grants come from). */
  readonly outside: string;
  /** TAO recycled or burned so far (removed from issuance). */
  readonly recycled: string;
  readonly players: Readonly<Record<PlayerId, Player>>;
  /** Player ids in join order (record key order is not relied on). */
  readonly playerOrder: readonly PlayerId[];
  readonly subnets: Readonly<Record<Netuid, Subnet>>;
  /** Validators (hotkeys) in registration order, people and NPCs. */
  readonly validators: readonly PlayerId[];
  /** Weights in force (revealed). */
  readonly weights: WeightBook;
  /** Weights committed this round, hidden until the round resolves. */
  readonly pendingWeights: WeightBook;
  /** Yuma bonds per subnet (advanced mode only). */
  readonly bonds: Readonly<Record<Netuid, Readonly<Record<PlayerId, Readonly<Record<string, number>>>>>>;
  /** Private signals of each non-NPC validator for the round being played (as seeds; see signalsFor). */
  readonly signals: Readonly<Record<PlayerId, SignalSeed>>;
  /** Lock cost paid at the last registration and the round it happened (§7). */
  readonly lastLockCost: string;
  readonly lastRegistrationRound: number;
  readonly nextNetuid: number;
  /** Shocks queued by the host, applied at the next resolution. */
  readonly queuedShocks: readonly { readonly kind: string; readonly subnet?: Netuid }[];
  /** Recent events (a bounded feed). */
  readonly events: readonly GameEvent[];
  /**
   * Fees and slippage of each person's pool trades (stake, unstake) in the round being played,
   * reported in that round's income and dropped at its resolution. Absent when no person has
   * traded on a pool since the last resolution (so older snapshots and exports still load).
   */
  readonly tradeCosts?: Readonly<Record<PlayerId, TradeCost>>;
}
