/** Building big games for benchmarks and load: many subnets, many bot-driven people. */
import {
  applyAction, applyActions, type BatchEntry, botActions, botRole, type BotStrategy, createGame, type GameConfigInput,
  type GameState, HOST_ID, Rng, sharedView,
} from "../shared/index.js";

/** The mix of bot strategies a big game uses: mostly stakers, a tenth validators, a tenth builders. */
export const MIX: BotStrategy[] = [
  "valueInvestor", "momentum", "noise", "rootSaver", "valueInvestor", "noise", "panicSeller", "momentum",
  "honestValidator", "researchBuilder",
];

export interface BigGame {
  state: GameState;
  bots: { id: string; strategy: BotStrategy; rng: Rng }[];
}

export function bigGame(subnets: number, players: number, extra: GameConfigInput = {}, seed = 1): BigGame {
  let state = createGame({
    initialSubnets: subnets, subnetLimit: Math.max(subnets, 16), maxPlayers: players + 10, rounds: 500, ...extra,
  }, seed);
  const bots: BigGame["bots"] = [];
  for (let i = 0; i < players; i++) {
    const strategy = MIX[i % MIX.length];
    const id = `bot${i}`;
    const r = applyAction(state, id, { type: "join", name: id, role: botRole(strategy) });
    if (!r.ok) throw new Error(r.error.message);
    state = r.state;
    bots.push({ id, strategy, rng: new Rng(Rng.seedState(seed * 100_003 + i)) });
  }
  const started = applyAction(state, HOST_ID, { type: "start" });
  if (!started.ok) throw new Error(started.error.message);
  return { state: started.state, bots };
}

/**
 * Every bot acts once. The decisions are simultaneous: each bot decides from the state as it was
 * when the bots' turn began (through `sharedView`: the public part is built once, not per bot).
 * The actions then go through `applyActions` in bot order, which checks and applies each exactly
 * as `applyAction` would, one after the other (rejections are counted, not fatal).
 */
export function botsAct(game: BigGame): { accepted: number; rejected: number } {
  const state = game.state;
  const batch: BatchEntry[] = [];
  for (const bot of game.bots) {
    for (const action of botActions(bot.strategy, sharedView(state, bot.id), bot.rng)) batch.push({ playerId: bot.id, action });
  }
  const { state: next, results } = applyActions(state, batch);
  game.state = next;
  const accepted = results.filter((r) => r.ok).length;
  return { accepted, rejected: results.length - accepted };
}
