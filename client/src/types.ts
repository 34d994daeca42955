/**
 * The client's view of the synced state: server/room/schema.ts as decoded and converted by
 * synced.ts (decimal strings, derived prices), plus the private messages. Kept structural so the
 * client does not import server code.
 */
import type { PlayerIncome } from "../../shared/report";

export interface SyncedSubnet {
  netuid: string; name: string; owner: string; ownerName: string; registeredRound: number; immune: boolean;
  taoReserve: string; alphaReserve: string; price: string; priceEma: string; flowEma: string;
  flowThisRound: string; emissionShare: string; product: number; minerCount: number;
  priceHistory: string[];
}
export interface SyncedPlayer {
  id: string; name: string; role: string; connected: boolean; bot: boolean; acted: boolean; tao: string;
  rootStake: string; alpha: Record<string, string>; take: string; research: number;
  /** Spot net worth at the close of the last round (the leaderboard's figure, public). */
  worth: number;
  /** Whether this client sees the holdings (its own player): tao, rootStake, alpha, take. */
  holdings: boolean;
  /** Spot net worth: live for one's own player, the last round's close for everyone else. */
  netWorth: string;
}
export interface SyncedValidator { id: string; name: string; npc: boolean; take: string; rootStake: string }
export interface SyncedMetrics {
  nakamoto: number; hhi: number; stakeGini: number; qualityCorrelation: number; speculativePremium: number; researchShare: number;
}
export interface SyncedRules {
  emissionRule: "rootWeights" | "priceEMA" | "taoFlow"; excessRule: string; rootPayout: string; priceEmaRate: number;
  priceEmaHalvingRounds: number; flowEmaRate: number; flowCutoff: string; poolFee: string; minPoolReserve: string;
  minStake: string; defaultTake: string; tempoBlocks: number; subnetLimit: number; immunityRounds: number; maxPlayers: number;
}
export interface SyncedState {
  code: string; scenario: string; phase: "lobby" | "acting" | "resolving" | "ended"; paused: boolean; round: number;
  totalRounds: number; deadline: number; pausedRemainingMs: number; ruleset: string; emissionRule: string;
  lockCost: string; issuance: string; block: number; rootTotal: number;
  subnets: Record<string, SyncedSubnet>; players: Record<string, SyncedPlayer>; validators: Record<string, SyncedValidator>;
  events: { round: number; kind: string; text: string }[]; metrics: SyncedMetrics; rules: SyncedRules;
}

export interface Seat { playerId: string; seatToken: string; role: string; code: string; name: string }
export interface Signals { round: number; subnets: Record<string, number>; miners: Record<string, number[]> }
export interface PublicSubnetReport {
  netuid: string; name: string; share: string; emission: string; price: string; taoIn: string; alphaIn: string;
  ownerAlpha: string; minerAlpha: string; validatorAlpha: string; rootAlpha: string; rootTao: string;
  trueQuality?: number; product: number; research: number;
}
export interface PublicReport {
  round: number; ruleset: string; emitted: string; blockEmission: string; issuance: string;
  /** A player's copy only: closing price of each subnet it earned in (the others' rows are absent). */
  prices?: Record<string, string>;
  subnets: PublicSubnetReport[]; metrics: SyncedMetrics & { qualityRankCorrelation: number; topControl: { id: string; share: number }[] };
  events: { round: number; kind: string; text: string }[];
}
/** Your `income` message: the engine's `PlayerIncome` (payouts, owner cut, the round's fees and slippage). */
export type Income = PlayerIncome;
export interface Debrief {
  leaderboard: { id: string; name: string; role: string; spot: string; liquidation: string; profit: string; rank: number }[];
  awards: { title: string; role: string; id: string; name: string; detail: string }[];
  reports: PublicReport[];
}
export interface Result { ref?: string | number; type: string; ok: boolean; code?: string; message?: string }

export type ConnectionStatus = "idle" | "connecting" | "open" | "reconnecting" | "lost" | "replaced" | "kicked";

/** Everything the UI renders from. */
export interface ClientSnapshot {
  status: ConnectionStatus;
  state: SyncedState | null;
  seat: Seat | null;
  /** Host token when this tab is the host. */
  hostToken: string | null;
  signals: Signals | null;
  reports: PublicReport[];
  income: Income | null;
  /** Income per round for the portfolio's "where your TAO came from". */
  incomeHistory: { round: number; income: Income }[];
  debrief: Debrief | null;
  error: string | null;
}
