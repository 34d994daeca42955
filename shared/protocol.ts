/**
 * The wire protocol between client and server (documented in docs/protocol.md). Names may be
 * added, never changed. Player intents use the engine's action types and payloads, plus an
 * optional `ref` the server echoes in its `result`.
 */
import { z } from "zod";
import { BOT_STRATEGIES } from "./bots.js";
import { SHOCK_KINDS } from "./actions.js";
import { RULESET_NAMES, type RulesetName } from "./config.js";
import { SCENARIO_NAMES } from "./scenarios.js";

/** Intents a player may send (the engine's action types). */
export const INTENT_TYPES = [
  "stake", "unstake", "stakeRoot", "unstakeRoot", "registerSubnet", "setEffort", "setWeights",
  "setTake", "setRootClaim", "setRole",
] as const;
export type IntentType = (typeof INTENT_TYPES)[number];

export const HOST_MESSAGES = [
  "host:start", "host:pause", "host:resume", "host:extend", "host:advance", "host:end", "host:kick",
  "host:bots", "host:config", "host:ruleset", "host:shock", "host:assignRole", "host:balanceRoles", "host:rematch",
] as const;
export type HostMessage = (typeof HOST_MESSAGES)[number];

/** Server -> client message names. */
export const SERVER_MESSAGES = {
  /** Your seat: keep `seatToken` to get the seat back later. */
  seat: "seat",
  /** Answer to every intent or host message. */
  result: "result",
  /** A validator's private signals for the round. */
  signals: "signals",
  /** Round report: the full public one for the host and projector, a player's own copy for players (true quality withheld until the game ends). */
  report: "report",
  /** On joining: every pool's closing prices so far (shared/priceTape.ts); clients append later closes themselves. */
  history: "history",
  /** Your own income in the last round. */
  income: "income",
  /** Debrief data at the end (true quality revealed). */
  debrief: "debrief",
  /** Your seat was taken over by another tab or device. */
  replaced: "replaced",
  /** The host started a new game with the same class: join `code` with `seatToken` (empty for the host). */
  rematch: "rematch",
} as const;

export const ROLES_ON_JOIN = ["builder", "staker", "validator", "spectator", "host"] as const;
export type JoinRole = (typeof ROLES_ON_JOIN)[number];

export const JoinOptionsSchema = z.object({
  name: z.string().max(200).optional(),
  role: z.enum(ROLES_ON_JOIN).optional(),
  hostToken: z.string().max(100).optional(),
  seatToken: z.string().max(100).optional(),
}).passthrough();
export type JoinOptions = z.infer<typeof JoinOptionsSchema>;

export interface SeatMessage {
  readonly playerId: string;
  readonly seatToken: string;
  readonly role: JoinRole;
  readonly code: string;
  readonly name: string;
}

export interface ResultMessage {
  readonly ref?: string | number;
  readonly type: string;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
}

/** Close codes the server uses (4000–4999 are application codes). */
export const CLOSE_CODES = {
  /** The server is restarting: reconnect (the session and the seat come back with it). */
  restarting: 4503,
  kicked: 4401,
  replaced: 4409,
  abuse: 4429,
} as const;

export const SessionOptionsSchema = z.object({
  scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).optional(),
  ruleset: z.enum(RULESET_NAMES as [RulesetName, ...RulesetName[]]).optional(),
  rounds: z.number().int().min(1).max(200).optional(),
  roundSeconds: z.number().int().min(10).max(3600).optional(),
  maxPlayers: z.number().int().min(1).max(500).optional(),
  bots: z.number().int().min(0).max(100).optional(),
}).strict();
export type SessionOptions = z.infer<typeof SessionOptionsSchema>;

export const HostPayloads = {
  "host:extend": z.object({ seconds: z.number().int().min(1).max(3600) }).passthrough(),
  "host:kick": z.object({ playerId: z.string().max(64) }).passthrough(),
  "host:bots": z.object({ count: z.number().int().min(1).max(100), strategy: z.enum(BOT_STRATEGIES).optional() }).passthrough(),
  "host:config": z.object({
    scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).optional(),
    ruleset: z.enum(RULESET_NAMES as [RulesetName, ...RulesetName[]]).optional(),
    rounds: z.number().int().min(1).max(200).optional(),
    roundSeconds: z.number().int().min(10).max(3600).optional(),
  }).passthrough(),
  "host:ruleset": z.object({ ruleset: z.enum(RULESET_NAMES as [RulesetName, ...RulesetName[]]) }).passthrough(),
  "host:shock": z.object({ kind: z.enum(SHOCK_KINDS), subnet: z.number().int().min(1).max(4096).optional() }).passthrough(),
  "host:rematch": z.object({ ruleset: z.enum(RULESET_NAMES as [RulesetName, ...RulesetName[]]).optional() }).passthrough(),
  "host:assignRole": z.object({ playerId: z.string().max(64), role: z.enum(["builder", "staker", "validator"]) }).passthrough(),
} as const;
