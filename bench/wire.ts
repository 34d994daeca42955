/**
 * Bytes of the synced state's patches for one class, without websockets: a 40-person game with
 * 64 subnets (bench/setup.ts bots), projected into the schema as the room does (server/room/project.ts)
 * and encoded by Colyseus' encoder. Prints, per round, the patch of the round's trades (all 40
 * acting once, one patch) and the patch of its resolution. These are the shared patches: what every
 * client of the class receives (view-filtered holdings and the messages come on top; the load test
 * measures everything on real sockets).
 *
 *   npx tsx bench/wire.ts [subnets=64] [players=40] [rounds=6]
 */
import { Encoder } from "@colyseus/schema";
import { resolveRound } from "../shared/index.js";
import { project, type RoomFacts } from "../server/room/project.js";
import { ArenaState } from "../server/room/schema.js";
import { bigGame, botsAct } from "./setup.js";

const [subnets, players, rounds] = [Number(process.argv[2] ?? 64), Number(process.argv[3] ?? 40), Number(process.argv[4] ?? 6)];
Encoder.BUFFER_SIZE = 1024 * 1024;
const game = bigGame(subnets, players, { scenario: "dtao-launch" } as never);
const target = new ArenaState();
const encoder = new Encoder(target);
const facts = (phase: RoomFacts["phase"]): RoomFacts => ({
  code: "BENCH1", phase, paused: false, deadline: 0, pausedRemainingMs: 0, connected: new Set(), bots: new Set(), acted: new Set(), metrics: null,
});
const patch = () => { const n = encoder.encode().length; encoder.discardChanges(); return n; };
project(target, game.state, facts("acting"));
const full = patch();
console.log(`${subnets} subnets, ${players} players: full state ${full} B`);
const rows: [number, number][] = [];
for (let r = 1; r <= rounds; r++) {
  botsAct(game);
  project(target, game.state, facts("acting"));
  const trades = patch();
  game.state = resolveRound(game.state).state;
  project(target, game.state, facts("resolving"));
  const resolution = patch();
  rows.push([trades, resolution]);
  console.log(`round ${r}: trades patch ${trades} B, resolution patch ${resolution} B`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median: trades ${median(rows.map((x) => x[0]))} B, resolution ${median(rows.map((x) => x[1]))} B`);
