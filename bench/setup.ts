/** Building big games for benchmarks and load: many subnets, many bot-driven people. */
import {
  applyAction, botActions, botRole, type BotStrategy, createGame, type GameConfigInput, type GameState, HOST_ID,
  playerView, Rng,
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

/** Every bot acts once through applyAction (rejections are counted, not fatal). */
export function botsAct(game: BigGame): { accepted: number; rejected: number } {
  let accepted = 0;
  let rejected = 0;
  for (const bot of game.bots) {
    const actions = botActions(bot.strategy, playerView(game.state, bot.id), bot.rng);
    for (const a of actions) {
      const r = applyAction(game.state, bot.id, a);
      if (r.ok) { game.state = r.state; accepted++; } else rejected++;
    }
  }
  return { accepted, rejected };
}
