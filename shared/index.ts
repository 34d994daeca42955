/**
 * dtao-arena engine: pure, deterministic functions over plain JSON state.
 *   createGame(config, seed) -> state
 *   applyAction(state, playerId, action) -> { ok, state, events } | { ok: false, error }
 *   resolveRound(state) -> { state, report }
 *   replay(config, seed, log) -> { state, reports }
 * The server runs these as the truth; the client runs the same previews.
 */
export * from "./actions.js";
export * from "./amount.js";
export { applyAction, applyActions, type ApplyResult, type BatchEntry, type BatchResult, EVENT_FEED_LENGTH } from "./apply.js";
export { auditTao, type TaoAudit } from "./audit.js";
export * from "./config.js";
export * from "./constants.js";
export { amt, dec, Decimal, type Dec, floorRao, ceilRao, RAO, ZERO } from "./decimal.js";
export * from "./errors.js";
export { ConfigError, createGame, rootStakeLadder } from "./game.js";
export { canonicalJson, stateHash } from "./hash.js";
export { lockCost, pruneCandidate } from "./registration.js";
export * from "./pool.js";
export { previewStake, previewUnstake, projectedShares, projectShares, shareInputs, sharesFromEmas, type ShareInputs, type TradePreview } from "./preview.js";
export { trueQuality } from "./quality.js";
export { replay, type LogEntry, type ReplayResult } from "./replay.js";
export type * from "./report.js";
export { resolveRound, RoundError } from "./round.js";
export * from "./scenarios.js";
export { awards, leaderboard, netWorth, spotValue, type Award, type LeaderboardRow, type NetWorth } from "./scoring.js";
export * from "./state.js";
export { playerView, publicView, sharedView, type PlayerView, type PublicSubnet, type PublicView } from "./view.js";
export { BOT_STRATEGIES, botActions, botRole, isBotStrategy, type BotStrategy } from "./bots.js";
export { Rng } from "./rng.js";
export { isImmune, defaultValidator } from "./access.js";
export * from "./protocol.js";
export { signalsFor } from "./signals.js";
export * from "./wire.js";
export * from "./priceTape.js";
