/**
 * A game is its config, seed and action log. `replay` rebuilds the state from them; the server
 * logs exactly these entries, so an exported session reproduces bit for bit.
 */
import { applyAction } from "./apply.js";
import type { GameConfigInput } from "./config.js";
import type { EngineError } from "./errors.js";
import { createGame } from "./game.js";
import type { RoundReport } from "./report.js";
import { resolveRound } from "./round.js";
import type { GameState, PlayerId } from "./state.js";

/** One log entry: a player's (or the host's) action, or the resolution of a round. */
export type LogEntry =
  | { readonly kind: "action"; readonly playerId: PlayerId; readonly action: unknown }
  | { readonly kind: "resolve" };

export interface ReplayResult {
  readonly state: GameState;
  readonly reports: RoundReport[];
  /** Entries the engine refused (a faithful log holds none: only accepted actions are logged). */
  readonly rejected: { readonly index: number; readonly error: EngineError }[];
}

export function replay(config: GameConfigInput, seed: number, log: readonly LogEntry[]): ReplayResult {
  let state = createGame(config, seed);
  const reports: RoundReport[] = [];
  const rejected: { index: number; error: EngineError }[] = [];
  log.forEach((entry, index) => {
    if (entry.kind === "resolve") {
      const r = resolveRound(state);
      state = r.state;
      reports.push(r.report);
      return;
    }
    const r = applyAction(state, entry.playerId, entry.action);
    if (r.ok) state = r.state;
    else rejected.push({ index, error: r.error });
  });
  return { state, reports, rejected };
}
