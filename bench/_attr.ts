import { Encoder } from "@colyseus/schema";
import { resolveRound } from "../shared/index.js";
import { bigGame, botsAct } from "../bench/setup.js";
import { project } from "../server/room/project.js";
import { ArenaState } from "../server/room/schema.js";

Encoder.BUFFER_SIZE = 256 * 1024;
const g = bigGame(64, 40, { scenario: "dtao-launch" } as never);
const target = new ArenaState();
const enc = new Encoder(target);
const facts = (phase: "acting" | "resolving") => ({ code: "X", phase, paused: false, deadline: 0, pausedRemainingMs: 0, connected: new Set<string>(), bots: new Set<string>(), acted: new Set<string>(), metrics: null });
project(target, g.state, facts("acting"));
enc.encode(); enc.discardChanges();
for (let r = 0; r < 3; r++) {
  botsAct(g);
  project(target, g.state, facts("acting"));
  const trades = enc.encode().length; enc.discardChanges();
  g.state = resolveRound(g.state).state;
  // measure pieces: snapshot of values before projection
  project(target, g.state, facts("resolving"));
  const bytes = enc.encode().length; enc.discardChanges();
  console.log({ round: r, tradesPatch: trades, resolutionPatch: bytes, validators: g.state.validators.length, people: 40 });
}
