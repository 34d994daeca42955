/**
 * A game is its config, seed and action log (mechanics invariant 11, determinism): a scripted
 * six-round game with several people and the host (rule-set switches, shocks) is logged as
 * `LogEntry` values and replayed to the same state hash and the same reports; the state survives
 * a JSON round trip at any point and play continues from the copy identically; the seed matters.
 */
import { describe, expect, it } from "vitest";
import {
  applyAction, auditTao, canonicalJson, createGame, type GameConfigInput, type GameState, HOST_ID, type LogEntry,
  replay, resolveRound, type RoundReport, stateHash,
} from "../shared/index.js";

const CONFIG: GameConfigInput = {
  ruleset: "root-weights", rounds: 6, initialSubnets: 4, rootValidators: 8,
  // A live market: NPC traders, a whale and random events all draw on the seeded RNG.
  npcNoiseTraders: 2, npcMomentumTraders: 1, npcFundamentalTraders: 1, npcWhales: 1, eventRate: 0.3,
};
const SEED = 2025;

const act = (playerId: string, action: Record<string, unknown>): LogEntry => ({ kind: "action", playerId, action });
const host = (action: Record<string, unknown>): LogEntry => act(HOST_ID, action);
const resolve: LogEntry = { kind: "resolve" };

/** The script: every entry is accepted by the engine (checked below), as a server would log it. */
const SCRIPT: readonly LogEntry[] = [
  act("ana", { type: "join", name: "Ana", role: "staker" }),
  act("bo", { type: "join", name: "Bo", role: "builder" }),
  act("cy", { type: "join", name: "Cy", role: "builder" }),
  act("vic", { type: "join", name: "Vic", role: "validator" }),
  act("sy", { type: "join", name: "Sy", role: "spectator" }),
  act("vic", { type: "setTake", take: "0.1" }),
  act("bo", { type: "setEffort", research: 0.8, product: 0.2 }),
  host({ type: "start" }),
  // Round 1 (root-weights): stakes, root stake through a person validator, root and subnet weights, a registration.
  act("ana", { type: "stake", subnet: 2, tao: "120" }),
  act("ana", { type: "stakeRoot", tao: "200", validator: "vic" }),
  act("vic", { type: "stakeRoot", tao: "500" }),
  act("vic", { type: "setWeights", subnet: 0, weights: { "1": 1, "2": 3 } }),
  act("vic", { type: "setWeights", subnet: 2, weights: { "0": 1, "1": 2, "5": 0.5 } }),
  act("bo", { type: "registerSubnet", name: "Nova" }),
  resolve,
  // Round 2: a host shock on a named subnet, a partial exit, a second registration.
  host({ type: "shock", kind: "exploit", subnet: 3 }),
  act("ana", { type: "unstake", subnet: 2, alpha: "100" }),
  act("cy", { type: "registerSubnet", name: "Apex" }),
  act("cy", { type: "setEffort", research: 1, product: 3 }),
  act("bo", { type: "stake", subnet: 5, tao: "50" }),
  resolve,
  // Round 3: the host switches to Taoflow mid-game; a keep-mode root staker.
  host({ type: "setRuleset", ruleset: "dtao-flow" }),
  act("ana", { type: "setRootClaim", mode: "keep" }),
  act("ana", { type: "stake", subnet: 5, tao: "80", limitPrice: "5", allowPartial: true }),
  act("vic", { type: "setWeights", subnet: 5, weights: { "2": 1 } }),
  resolve,
  // Round 4: a halving and a random-target shock; root unstake.
  host({ type: "shock", kind: "halving" }),
  host({ type: "shock", kind: "hype" }),
  act("ana", { type: "unstakeRoot", tao: "50.5" }),
  act("cy", { type: "stake", subnet: 6, tao: "25" }),
  resolve,
  // Round 5: back to price-EMA emission; the whale leaves.
  host({ type: "setRuleset", ruleset: "dtao-price" }),
  host({ type: "shock", kind: "whaleExit" }),
  act("ana", { type: "setRootClaim", mode: "swap" }),
  act("bo", { type: "setEffort", research: 0, product: 1 }),
  resolve,
  // Round 6: last trades, then the final resolution ends the game.
  act("ana", { type: "stake", subnet: 1, tao: "10.123456789" }),
  act("vic", { type: "setWeights", subnet: 0, weights: { "5": 1, "6": 1 } }),
  resolve,
];

interface Played {
  states: GameState[]; // states[k] = state after the first k entries
  reports: RoundReport[];
}

/** Play the log live, entry by entry, requiring every action to be accepted. */
function playLive(config: GameConfigInput, seed: number, log: readonly LogEntry[]): Played {
  let s = createGame(config, seed);
  const states = [s];
  const reports: RoundReport[] = [];
  for (const [i, e] of log.entries()) {
    if (e.kind === "resolve") {
      const r = resolveRound(s);
      s = r.state;
      reports.push(r.report);
    } else {
      const r = applyAction(s, e.playerId, e.action);
      if (!r.ok) throw new Error(`entry ${i} (${e.playerId} ${JSON.stringify(e.action)}): ${r.error.code} ${r.error.message}`);
      s = r.state;
    }
    states.push(s);
  }
  return { states, reports };
}

/** Continue from a state with the rest of a log. */
function continueFrom(s: GameState, rest: readonly LogEntry[]): GameState {
  for (const e of rest) {
    if (e.kind === "resolve") s = resolveRound(s).state;
    else {
      const r = applyAction(s, e.playerId, e.action);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      s = r.state;
    }
  }
  return s;
}

const live = playLive(CONFIG, SEED, SCRIPT);
const final = live.states[live.states.length - 1];

describe("the scripted game", () => {
  it("plays six rounds with every entry accepted, the rule-set switches in force and the TAO audited", () => {
    expect(final.phase).toBe("ended");
    expect(final.round).toBe(6);
    expect(live.reports.map((r) => r.ruleset)).toEqual(["root-weights", "root-weights", "dtao-flow", "dtao-flow", "dtao-price", "dtao-price"]);
    expect(Object.keys(final.subnets).sort()).toEqual(["1", "2", "3", "4", "5", "6"]);
    for (const s of live.states) expect(auditTao(s).problems).toEqual([]);
    // The halving shock was applied in round 4's resolution: the block reward halved.
    expect(Number(live.reports[3].blockEmission)).toBeLessThan(Number(live.reports[2].blockEmission));
  });
});

describe("replay", () => {
  it("rebuilds the same state hash and reports from config, seed and log, with nothing rejected", () => {
    const r = replay(CONFIG, SEED, SCRIPT);
    expect(r.rejected).toEqual([]);
    expect(stateHash(r.state)).toBe(stateHash(final));
    expect(canonicalJson(r.state)).toBe(canonicalJson(final));
    expect(r.reports).toHaveLength(6);
    expect(JSON.stringify(r.reports)).toBe(JSON.stringify(live.reports));
  });

  it("replays every prefix of the log to the state reached live at that point", () => {
    for (let k = 0; k <= SCRIPT.length; k++) {
      const r = replay(CONFIG, SEED, SCRIPT.slice(0, k));
      expect(r.rejected).toEqual([]);
      expect(stateHash(r.state), `after ${k} entries`).toBe(stateHash(live.states[k]));
    }
  });

  it("replays an exported session: the log, config and seed after a JSON round trip", () => {
    const exported = JSON.parse(JSON.stringify({ config: CONFIG, seed: SEED, log: SCRIPT })) as {
      config: GameConfigInput; seed: number; log: LogEntry[];
    };
    const r = replay(exported.config, exported.seed, exported.log);
    expect(r.rejected).toEqual([]);
    expect(stateHash(r.state)).toBe(stateHash(final));
  });

  it("replays from the resolved config stored in the starting state", () => {
    const r = replay(live.states[0].config, SEED, SCRIPT);
    expect(stateHash(r.state)).toBe(stateHash(final));
  });

  it("reports a refused entry by index and code, and the refusal changes nothing", () => {
    const bad = [...SCRIPT];
    const at = bad.findIndex((e) => e.kind === "resolve") + 1; // first thing in round 2
    bad.splice(at, 0, act("ana", { type: "stake", subnet: 2, tao: "999999" }), act("zed", { type: "stakeRoot", tao: "1" }));
    const r = replay(CONFIG, SEED, bad);
    expect(r.rejected.map((x) => [x.index, x.error.code])).toEqual([[at, "balance/insufficient"], [at + 1, "player/unknown"]]);
    expect(stateHash(r.state)).toBe(stateHash(final));
  });

  it("is deterministic: the same replay twice gives the same state", () => {
    expect(stateHash(replay(CONFIG, SEED, SCRIPT).state)).toBe(stateHash(replay(CONFIG, SEED, SCRIPT).state));
  });
});

describe("JSON round trip of the state", () => {
  it("keeps the hash and continues identically from any point of the game", () => {
    for (let k = 0; k < live.states.length; k++) {
      const copy = JSON.parse(JSON.stringify(live.states[k])) as GameState;
      expect(stateHash(copy), `hash after ${k} entries`).toBe(stateHash(live.states[k]));
      expect(stateHash(continueFrom(copy, SCRIPT.slice(k))), `continued from entry ${k}`).toBe(stateHash(final));
    }
  });

  it("gives the same report for the next resolution from the copy", () => {
    const k = SCRIPT.findIndex((e, i) => e.kind === "resolve" && i > 20); // a resolution under Taoflow
    const s = live.states[k];
    const copy = JSON.parse(JSON.stringify(s)) as GameState;
    expect(JSON.stringify(resolveRound(copy).report)).toBe(JSON.stringify(resolveRound(s).report));
  });
});

describe("seeds", () => {
  it("different seeds give different starting markets", () => {
    const hashes = new Set(Array.from({ length: 25 }, (_, i) => stateHash(createGame(CONFIG, i * 7919 + 1))));
    expect(hashes.size).toBe(25);
  });

  it("the same log under a different seed ends in a different state", () => {
    const seeds = [SEED + 1, SEED + 2, 7];
    const mine = stateHash(final);
    for (const seed of seeds) {
      const r = replay(CONFIG, seed, SCRIPT);
      expect(stateHash(r.state), `seed ${seed}`).not.toBe(mine);
    }
  });

  it("the same seed with a different config gives a different state", () => {
    expect(stateHash(createGame({ ...CONFIG, ruleset: "dtao-flow" }, SEED))).not.toBe(stateHash(createGame(CONFIG, SEED)));
  });
});
