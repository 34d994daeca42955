/**
 * Golden hashes: seeded games with bots under every rule set, their state hash after every round
 * and a hash of all their round reports, pinned. A regression guard for speed work on the engine:
 * an optimisation must leave every figure the same, bit for bit. If a change is *meant* to alter
 * results (a rule, a bot, a new state field), print the new values with
 * `GOLDEN_PRINT=1 npx vitest run test/golden.test.ts` and replace the table, saying why in the commit.
 */
import { describe, expect, it } from "vitest";
import {
  applyAction, applyActions, type BatchEntry, BOT_STRATEGIES, botActions, botRole, type BotStrategy, canonicalJson,
  createGame, type GameConfigInput, type GameState, HOST_ID, resolveRound, Rng, type RoundReport, sharedView, stateHash,
} from "../shared/index.js";
import { fnv1a64 } from "../shared/hash.js";

interface Case {
  config: GameConfigInput;
  seed: number;
  bots: number;
  rounds: number;
  /** Player ids: "b0"… or, to exercise records keyed by array-index-like ids, "0", "1"… for even bots. */
  numericIds?: boolean;
  /** Host actions before the bots act in a given round (1-based). */
  host?: Record<number, unknown[]>;
  /** Bots (by index) that switch their root claim to "keep" once started. */
  keepers?: number[];
  /** The strategies to cycle through (default: all of them). */
  strategies?: readonly BotStrategy[];
  /** A change to the started game, to reach rare paths. */
  edit?: (s: GameState) => GameState;
}

const CASES: Record<string, Case> = {
  "root-weights": { config: { scenario: "oligarchy" }, seed: 11, bots: 33, rounds: 8 },
  "dtao-price": { config: { scenario: "dtao-launch" }, seed: 12, bots: 33, rounds: 8 },
  "dtao-flow": { config: { scenario: "taoflow" }, seed: 13, bots: 33, rounds: 8, keepers: [0, 3, 6, 9, 12] },
  "mania, few permits, bonds, numeric ids": {
    config: { scenario: "speculative-mania", initialSubnets: 24, subnetLimit: 32, maxValidatorsPerSubnet: 6, bondAlpha: 0.3, maxPlayers: 120 },
    seed: 14, bots: 90, rounds: 6, numericIds: true,
  },
  "every validator permitted, numeric ids": {
    config: { scenario: "dtao-launch", initialSubnets: 10, rootValidators: 4, maxPlayers: 60 },
    seed: 16, bots: 44, rounds: 6, numericIds: true,
  },
  // Nobody weighs the miners (the NPC validators act as people who set no weights), and the pools
  // sit at their reserve floor, so root's alpha cannot be sold.
  "no weights, reserve floor": {
    config: { scenario: "dtao-launch", initialSubnets: 6, poolTaoLow: "2000", poolTaoHigh: "2000", minPoolReserve: "5000", maxPlayers: 40 },
    seed: 17, bots: 20, rounds: 4, strategies: ["valueInvestor", "noise", "rootSaver", "momentum"],
    edit: (s) => ({
      ...s, players: Object.fromEntries(Object.entries(s.players).map(([id, p]) => [id, p.npc === "validator" ? { ...p, npc: null } : p])),
    }),
  },
  "rule sets switched mid-game": {
    config: { scenario: "oligarchy", initialSubnets: 12, maxValidatorsPerSubnet: 12, switches: {}, maxPlayers: 80 },
    seed: 15, bots: 44, rounds: 9, keepers: [1, 2, 5],
    host: {
      3: [{ type: "setRuleset", ruleset: "dtao-flow" }, { type: "shock", kind: "whaleExit" }],
      6: [{ type: "setRuleset", ruleset: "dtao-price" }, { type: "shock", kind: "halving" }],
    },
  },
};

/** Per case: the state hash after each round, then the hash of all reports' canonical JSON. */
const GOLDEN: Record<string, { states: string[]; reports: string }> = {
  "root-weights": {
    "states": [
      "9f8a69f92866b801",
      "c67c796b4b5192d9",
      "7ef41a4eb1ec3bfb",
      "2153456959f96651",
      "a501dcd52bcca65c",
      "279957d6938e3ac1",
      "c69229ed461f07b3",
      "ed1c3ccda2725983"
    ],
    "reports": "1bd64a8f3e47bc87"
  },
  "dtao-price": {
    "states": [
      "4da9d31088a89a56",
      "3cc65aab5414cc4b",
      "f2a6ac2c2bfa0d3e",
      "40f89042ea7cb1a3",
      "1d2e1ba202d20f5f",
      "c10a09cadf888dc5",
      "1492f30226589354",
      "8d9ed6d606918ae8"
    ],
    "reports": "45cec9301d585a5a"
  },
  "dtao-flow": {
    "states": [
      "f1c9821d683b4a64",
      "2c6f634f5d9e66ec",
      "d063ab997f636336",
      "0e6f856c2bfe96d9",
      "09643024d1bb1f2d",
      "2f64a3a9ecdc9fb0",
      "bb19ed35fc44eafa",
      "85e0d90bae985717"
    ],
    "reports": "9a7704606dfbd0d5"
  },
  "mania, few permits, bonds, numeric ids": {
    "states": [
      "54c805413e9e2862",
      "7db4510444dfccc4",
      "c64ee270263e7f42",
      "55a66637594e0794",
      "1e2ba3deab7b74cf",
      "7f0691cbaa009cc5"
    ],
    "reports": "0bec10991a359134"
  },
  "every validator permitted, numeric ids": {
    "states": [
      "d44089f488d7ed48",
      "a1a7efb8365487c3",
      "c4bb00d57952404b",
      "0d6bd4d005f15194",
      "dd115a2e78eb6c24",
      "f80c4f8f60f8e27f"
    ],
    "reports": "4ac770cc1ffdb48c"
  },
  "no weights, reserve floor": {
    "states": [
      "c6c02a6f07568711",
      "18649ee5e1d4c190",
      "f5e90b15525926b7",
      "1f6f70887294dd2e"
    ],
    "reports": "9b9a692a5a1862e5"
  },
  "rule sets switched mid-game": {
    "states": [
      "2623fa0b12048346",
      "0bb9acc205e84114",
      "f993b3988f74bd88",
      "fe3dd71394eb4676",
      "92f81cac8016dfc6",
      "817345e93f947649",
      "b280670f8b721def",
      "226bade50fe1ca7f",
      "462046f853a42b0b"
    ],
    "reports": "d877248cd4a9def1"
  }
};

function run(c: Case): { states: string[]; reports: string } {
  let s: GameState = createGame(c.config, c.seed);
  const bots: { id: string; strategy: BotStrategy }[] = [];
  for (let i = 0; i < c.bots; i++) {
    const strategies = c.strategies ?? BOT_STRATEGIES;
    const strategy = strategies[i % strategies.length];
    const id = c.numericIds && i % 2 === 0 ? String(i) : `b${i}`;
    const r = applyAction(s, id, { type: "join", name: `${strategy} ${i}`, role: botRole(strategy) });
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
    bots.push({ id, strategy });
  }
  const started = applyAction(s, HOST_ID, { type: "start" });
  if (!started.ok) throw new Error(started.error.message);
  s = c.edit ? c.edit(started.state) : started.state;
  for (const i of c.keepers ?? []) {
    const r = applyAction(s, bots[i].id, { type: "setRootClaim", mode: "keep" });
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
  }
  const states: string[] = [];
  const reports: RoundReport[] = [];
  for (let round = 1; round <= c.rounds && s.phase === "acting"; round++) {
    const batch: BatchEntry[] = (c.host?.[round] ?? []).map((action) => ({ playerId: HOST_ID, action }));
    bots.forEach((b, i) => {
      const rng = new Rng(Rng.seedState(c.seed * 1_000_003 + round * 1_009 + i));
      for (const action of botActions(b.strategy, sharedView(s, b.id), rng)) batch.push({ playerId: b.id, action });
    });
    s = applyActions(s, batch).state;
    const r = resolveRound(s);
    s = r.state;
    states.push(stateHash(s));
    reports.push(r.report);
  }
  return { states, reports: fnv1a64(canonicalJson(reports)) };
}

describe("golden state and report hashes", () => {
  if (process.env.GOLDEN_PRINT) {
    it("prints the table", () => {
      const out: Record<string, unknown> = {};
      for (const [name, c] of Object.entries(CASES)) out[name] = run(c);
      console.log(JSON.stringify(out, null, 2));
    });
    return;
  }
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      expect(run(c)).toEqual(GOLDEN[name]);
    });
  }
});
