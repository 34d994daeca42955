/** Helpers for engine tests: a quiet market (no NPC traders, no random events) and quick joins. */
import {
  applyAction, createGame, type GameConfigInput, type GameState, HOST_ID, type Role,
} from "../../shared/index.js";

export const QUIET: GameConfigInput = {
  npcNoiseTraders: 0, npcMomentumTraders: 0, npcFundamentalTraders: 0, npcWhales: 0, eventRate: 0, minerSellFraction: 0,
};

export function must(r: ReturnType<typeof applyAction>): GameState {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.state;
}

/** A started game with the given people joined (id = name). */
export function startedGame(config: GameConfigInput, seed: number, people: [string, Role][]): GameState {
  let s = createGame(config, seed);
  for (const [id, role] of people) s = must(applyAction(s, id, { type: "join", name: id, role }));
  return must(applyAction(s, HOST_ID, { type: "start" }));
}
