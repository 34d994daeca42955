import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyAction } from "../shared/apply.js";
import { BOT_STRATEGIES, type BotStrategy, botActions, botRole, cartelTargets } from "../shared/bots.js";
import { amt, dec } from "../shared/decimal.js";
import { createGame } from "../shared/game.js";
import { Rng } from "../shared/rng.js";
import { resolveRound } from "../shared/round.js";
import { signalsFor } from "../shared/signals.js";
import { type GameState, HOST_ID, type Role } from "../shared/state.js";
import { playerView, type PlayerView } from "../shared/view.js";
import type { Action } from "../shared/actions.js";

const botId = (s: BotStrategy) => `bot:${s}`;
const BUILDER_ERRORS = new Set(["registration/rate_limited", "balance/insufficient"]);

function must(state: GameState, id: string, action: unknown): GameState {
  const r = applyAction(state, id, action);
  if (!r.ok) throw new Error(`${id} ${JSON.stringify(action)}: ${r.error.code} ${r.error.message}`);
  return r.state;
}

/** A started game with one bot per strategy, a human validator "val:a" and a market mover "mover". */
function setup(seed: number): GameState {
  let s = createGame({ scenario: "dtao-launch" }, seed);
  for (const strategy of BOT_STRATEGIES) s = must(s, botId(strategy), { type: "join", name: strategy, role: botRole(strategy) });
  s = must(s, "val:a", { type: "join", name: "Ann", role: "validator" satisfies Role });
  s = must(s, "mover", { type: "join", name: "Mover", role: "staker" satisfies Role });
  return must(s, HOST_ID, { type: "start" });
}

/** The mover pumps one subnet and dumps what it bought the round before, so prices rise and fall >10%. */
function moveMarket(state: GameState, rng: Rng): GameState {
  let s = state;
  const me = () => s.players.mover;
  for (const [netuid, alpha] of Object.entries(me().alpha)) {
    const r = applyAction(s, "mover", { type: "unstake", subnet: Number(netuid), alpha });
    if (r.ok) s = r.state;
  }
  const netuids = Object.keys(s.subnets);
  const target = rng.pick(netuids);
  const tao = amt(dec(me().tao).mul("0.6"));
  const r = applyAction(s, "mover", { type: "stake", subnet: Number(target), tao });
  return r.ok ? r.state : s;
}

interface Rejection { strategy: BotStrategy; action: Action; code: string; message: string }

/** Plays `rounds` rounds of every bot (fresh view before each bot), collecting rejections and counts. */
function play(seed: number, rounds: number) {
  let state = setup(seed);
  const rejected: Rejection[] = [];
  const accepted = new Map<BotStrategy, Action["type"][]>();
  const moverRng = new Rng(Rng.seedState(seed ^ 0x5eed));
  const states: GameState[] = [state];
  for (let round = 0; round < rounds; round++) {
    BOT_STRATEGIES.forEach((strategy, i) => {
      const id = botId(strategy);
      const rng = new Rng(Rng.seedState(seed * 7919 + round * 104729 + i));
      for (const action of botActions(strategy, playerView(state, id), rng)) {
        const r = applyAction(state, id, action);
        if (r.ok) {
          state = r.state;
          accepted.set(strategy, [...(accepted.get(strategy) ?? []), action.type]);
        } else rejected.push({ strategy, action, code: r.error.code, message: r.error.message });
      }
    });
    state = moveMarket(state, moverRng);
    states.push(state);
    state = resolveRound(state).state;
    states.push(state);
  }
  return { state, rejected, accepted, states };
}

function normalisedConsensus(s: GameState, netuid: string): Record<string, number> {
  const c = s.subnets[netuid].consensus;
  const total = c.reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  c.forEach((x, uid) => { if (x > 0) out[String(uid)] = x / total; });
  return out;
}

describe("playerView", () => {
  const base = setup(11);
  // Some revealed and some pending weights, so both are in the state.
  let s = must(base, "val:a", { type: "setWeights", subnet: 1, weights: { "0": 1, "1": 3 } });
  s = resolveRound(s).state;
  s = must(s, "val:a", { type: "setWeights", subnet: 2, weights: { "2": 5 } });
  s = must(s, botId("honestValidator"), { type: "setWeights", subnet: 3, weights: { "1": 1 } });

  it("never includes hidden subnet fields or anyone's pending weights", () => {
    for (const id of ["val:a", "mover", botId("honestValidator"), botId("researchBuilder"), "nobody"]) {
      const view = playerView(s, id);
      const json = JSON.stringify(view);
      for (const word of ["capability", "pipeline", "minerSkill", "minerStrength", "pendingWeights", "flowThisRound"]) {
        expect(json).not.toContain(word);
      }
      for (const sub of Object.values(s.subnets)) {
        for (const x of [sub.capability, ...sub.pipeline.filter((p) => p !== 0), ...sub.minerSkill]) {
          expect(json).not.toContain(String(x));
        }
        const pub = view.subnets.find((p) => p.netuid === sub.netuid);
        expect(pub?.minerCount).toBe(sub.minerSkill.length);
      }
      // Pending weights (subnet 2 by val:a, subnet 3 by the bot) are not in the consensus yet:
      // it is still the last resolution's Yuma consensus.
      for (const n of ["2", "3"]) expect(view.consensusWeights[n]).toEqual(normalisedConsensus(s, n));
    }
  });

  it("shows each validator only its own signals", () => {
    const mine = playerView(s, "val:a");
    expect(mine.signals).toEqual(signalsFor(s, "val:a"));
    const other = signalsFor(s, botId("honestValidator"))!;
    const json = JSON.stringify(mine);
    for (const x of [...Object.values(other.subnets), ...Object.values(other.miners).flat()]) expect(json).not.toContain(String(x));
    expect(playerView(s, "mover").signals).toBeNull();
    expect(playerView(s, "nobody").signals).toBeNull();
    expect(playerView(s, "nobody").me).toBeNull();
  });

  it("exposes the last revealed consensus, which the revealed weights moved", () => {
    const view = playerView(s, "mover");
    expect(view.consensusWeights["1"]).toEqual(normalisedConsensus(s, "1"));
    const sum = Object.values(view.consensusWeights["1"]).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
  });

  it("keeps amounts as strings, subnets sorted, and copies rather than aliases the state", () => {
    const view = playerView(s, "mover");
    expect(view.subnets.map((x) => Number(x.netuid))).toEqual([...view.subnets.map((x) => Number(x.netuid))].sort((a, b) => a - b));
    for (const sub of view.subnets) {
      for (const k of ["taoReserve", "alphaReserve", "alphaOut", "price", "priceEma", "flowEma", "emissionShare", "lastEmission"] as const) {
        expect(typeof sub[k]).toBe("string");
      }
      expect(sub.priceHistory.every((p) => typeof p === "string")).toBe(true);
    }
    expect(typeof view.lockCost).toBe("string");
    expect(typeof view.me?.tao).toBe("string");
    expect(view.validators.every((v) => typeof v.rootStake === "string" && typeof v.take === "string")).toBe(true);
    expect(view.validators.find((v) => v.id === "val:a")?.npc).toBe(false);
    expect(view.validators.find((v) => v.id === "npc:v1")?.npc).toBe(true);
    const before = JSON.stringify(s);
    view.subnets[0].priceHistory.push("123");
    (view.me!.alpha as Record<string, string>)["1"] = "999";
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe("bots", () => {
  it("maps strategies to roles", () => {
    expect(BOT_STRATEGIES.map(botRole)).toEqual([
      "staker", "staker", "staker", "staker", "staker", "staker",
      "validator", "validator", "validator", "builder", "builder",
    ]);
  });

  for (const seed of [1, 2, 3]) {
    it(`every strategy's actions are accepted by applyAction over several rounds (seed ${seed})`, () => {
      const { rejected, accepted } = play(seed, 8);
      const bad = rejected.filter((r) => !(botRole(r.strategy) === "builder" && BUILDER_ERRORS.has(r.code)));
      expect(bad).toEqual([]);
      // Each strategy did something over eight rounds.
      for (const strategy of BOT_STRATEGIES) expect(accepted.get(strategy)?.length ?? 0, strategy).toBeGreaterThan(0);
    });
  }

  it("plays as described", () => {
    const { accepted, state } = play(5, 8);
    expect(accepted.get("rootSaver")?.every((t) => t === "stakeRoot")).toBe(true);
    expect(dec(state.players[botId("rootSaver")].rootStake).gt(800)).toBe(true);
    for (const v of ["honestValidator", "lazyValidator", "cartelValidator"] as const) {
      expect(accepted.get(v)).toContain("setWeights");
      expect(state.players[botId(v)].stakes["0"]?.[botId(v)]).toBeDefined(); // staked on root through itself
    }
    for (const b of ["researchBuilder", "productBuilder"] as const) {
      expect(Object.values(state.subnets).some((s) => s.owner === botId(b)), b).toBe(true);
    }
    expect(state.players[botId("researchBuilder")].effort.research).toBeCloseTo(0.8);
    expect(state.players[botId("productBuilder")].effort.product).toBeCloseTo(0.8);
    // The whale went in early and was out by the end (round 5 exit).
    expect(accepted.get("whale")).toEqual(expect.arrayContaining(["stake", "unstake"]));
    expect(Object.keys(state.players[botId("whale")].alpha)).toEqual([]);
  });

  it("is deterministic for the same RNG state and view", () => {
    const { states } = play(9, 4);
    for (const st of states) {
      BOT_STRATEGIES.forEach((strategy, i) => {
        const view = playerView(st, botId(strategy));
        const rs = Rng.seedState(1234 + i);
        const a = new Rng(rs);
        const b = new Rng(rs);
        expect(botActions(strategy, view, a)).toEqual(botActions(strategy, view, b));
        expect(a.state()).toEqual(b.state());
      });
    }
  });

  it("never throws and stays valid for arbitrary RNG seeds (property)", () => {
    const { states } = play(4, 3);
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...BOT_STRATEGIES), fc.nat(states.length - 1), (seed, strategy, k) => {
        const st = states[k];
        const id = botId(strategy);
        let s = st;
        for (const action of botActions(strategy, playerView(st, id), new Rng(Rng.seedState(seed)))) {
          const r = applyAction(s, id, action);
          if (r.ok) s = r.state;
          else if (!(botRole(strategy) === "builder" && BUILDER_ERRORS.has(r.error.code))) return false;
        }
        return true;
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("does nothing outside the acting phase, without an account, or in the wrong role", () => {
    let lobby = createGame({ scenario: "dtao-launch" }, 3);
    lobby = must(lobby, "x", { type: "join", name: "X", role: "staker" });
    const rng = new Rng(Rng.seedState(1));
    for (const strategy of BOT_STRATEGIES) {
      expect(botActions(strategy, playerView(lobby, "x"), rng)).toEqual([]);
      expect(botActions(strategy, playerView(setup(3), "ghost"), rng)).toEqual([]);
    }
    const started = setup(3);
    expect(botActions("honestValidator", playerView(started, "mover"), rng)).toEqual([]);
    expect(botActions("researchBuilder", playerView(started, "mover"), rng)).toEqual([]);
  });

  it("returns [] when there is no free TAO to use", () => {
    const s = setup(6);
    const broke = { ...s, players: { ...s.players, mover: { ...s.players.mover, tao: "0.001" } } };
    const rng = new Rng(Rng.seedState(2));
    for (const strategy of ["rootSaver", "valueInvestor", "momentum", "whale"] as const) {
      expect(botActions(strategy, playerView(broke, "mover"), rng)).toEqual([]);
    }
  });

  describe("targeted behaviour on crafted views", () => {
    const s = setup(21);
    const rng = () => new Rng(Rng.seedState(77));
    const withHolding = (view: PlayerView, netuid: string, alpha: string): PlayerView => ({
      ...view, me: { ...view.me!, alpha: { ...view.me!.alpha, [netuid]: alpha } },
    });
    const withHistory = (view: PlayerView, netuid: string, history: string[], price: string): PlayerView => ({
      ...view, subnets: view.subnets.map((x) => (x.netuid === netuid ? { ...x, priceHistory: history, price } : x)),
    });

    it("panicSeller sells everything in a subnet that fell more than 10% in a round, and holds otherwise", () => {
      let view = withHolding(playerView(s, botId("panicSeller")), "2", "50");
      view = withHolding(view, "3", "40");
      view = { ...view, round: 3 };
      const p2 = view.subnets.find((x) => x.netuid === "2")!.price;
      const p3 = view.subnets.find((x) => x.netuid === "3")!.price;
      view = withHistory(view, "2", [amt(dec(p2).mul("1.2")), p2], p2); // −16.7%
      view = withHistory(view, "3", [amt(dec(p3).mul("1.05")), p3], p3); // −4.8%
      expect(botActions("panicSeller", view, rng())).toEqual([{ type: "unstake", subnet: 2, alpha: "50" }]);
    });

    it("valueInvestor buys the best product × share per price and halves its worst holding", () => {
      const base = playerView(s, botId("valueInvestor"));
      const value = (x: PlayerView["subnets"][number]) => x.product / Number(x.price); // equal shares before any emission
      const sorted = [...base.subnets].sort((a, b) => value(b) - value(a));
      const best = sorted[0];
      const worst = sorted[sorted.length - 1];
      const view = withHolding(base, worst.netuid, "10");
      const acts = botActions("valueInvestor", view, rng());
      expect(acts).toContainEqual({ type: "unstake", subnet: Number(worst.netuid), alpha: "5" });
      const buy = acts.find((a) => a.type === "stake") as Extract<Action, { type: "stake" }>;
      expect(buy.subnet).toBe(Number(best.netuid));
      const frac = Number(buy.tao) / Number(view.me!.tao);
      expect(frac).toBeGreaterThan(0.14);
      expect(frac).toBeLessThan(0.26);
    });

    it("momentum buys the best trend and sells a holding that fell", () => {
      const base = playerView(s, botId("momentum"));
      const p1 = base.subnets.find((x) => x.netuid === "1")!.price;
      const p2 = base.subnets.find((x) => x.netuid === "2")!.price;
      let view = withHistory(base, "1", [amt(dec(p1).mul("0.7")), amt(dec(p1).mul("0.9"))], p1); // rising
      view = withHistory(view, "2", [amt(dec(p2).mul("1.3")), amt(dec(p2).mul("1.1"))], p2); // falling
      view = withHolding(view, "2", "20");
      const acts = botActions("momentum", view, rng());
      expect(acts).toContainEqual({ type: "unstake", subnet: 2, alpha: "10" });
      expect(acts.find((a) => a.type === "stake")).toMatchObject({ type: "stake", subnet: 1 });
    });

    it("whale exits its position fully after round 5", () => {
      const view = { ...withHolding(playerView(s, botId("whale")), "4", "100"), round: 5 };
      expect(botActions("whale", view, rng())).toEqual([{ type: "unstake", subnet: 4, alpha: "100" }]);
      const early = { ...view, round: 2, me: { ...view.me!, tao: "900" } };
      expect(botActions("whale", early, rng())).toEqual([]); // holding, not up 30%, not late: holds
    });

    it("whale stakes half its TAO into one subnet while untouched", () => {
      const acts = botActions("whale", playerView(s, botId("whale")), rng());
      expect(acts).toHaveLength(1);
      expect(acts[0]).toMatchObject({ type: "stake", tao: amt(dec(s.players[botId("whale")].tao).div(2)) });
    });

    it("lazyValidator copies the consensus and falls back to equal weights", () => {
      const view = playerView(s, botId("lazyValidator"));
      const cw = { ...view.consensusWeights, "1": { "0": 0.5, "3": 0.5 }, "0": { "1": 0.7, "2": 0.3 } };
      const acts = botActions("lazyValidator", { ...view, consensusWeights: cw }, rng());
      expect(acts).toContainEqual({ type: "setWeights", subnet: 1, weights: { "0": 0.5, "3": 0.5 } });
      expect(acts).toContainEqual({ type: "setWeights", subnet: 0, weights: { "1": 0.7, "2": 0.3 } });
      const sub2 = view.subnets.find((x) => x.netuid === "2")!;
      expect(acts).toContainEqual({
        type: "setWeights", subnet: 2,
        weights: Object.fromEntries(Array.from({ length: sub2.minerCount }, (_, u) => [String(u), 1])),
      });
    });

    it("honestValidator weights miners and subnets by its own signals", () => {
      const view = playerView(s, botId("honestValidator"));
      const acts = botActions("honestValidator", view, rng());
      const sig = view.signals!;
      expect(acts).toContainEqual({ type: "stakeRoot", tao: view.me!.tao, validator: botId("honestValidator") });
      expect(acts).toContainEqual({ type: "setWeights", subnet: 0, weights: { ...sig.subnets } });
      expect(acts).toContainEqual({
        type: "setWeights", subnet: 1, weights: Object.fromEntries(sig.miners["1"].map((x, u) => [String(u), x])),
      });
    });

    it("cartelValidator concentrates root weight on the same one or two subnets every round", () => {
      const view = playerView(s, botId("cartelValidator"));
      const targets = cartelTargets(botId("cartelValidator"), view.subnets);
      expect(targets.length === 1 || targets.length === 2).toBe(true);
      for (const seed of [1, 2, 3]) {
        const root = botActions("cartelValidator", view, new Rng(Rng.seedState(seed))).find(
          (a): a is Extract<Action, { type: "setWeights" }> => a.type === "setWeights" && a.subnet === 0,
        )!;
        const total = Object.values(root.weights).reduce((a, b) => a + b, 0);
        const favoured = targets.reduce((t, n) => t + (root.weights[n] ?? 0), 0);
        expect(favoured / total).toBeGreaterThan(0.9);
      }
    });

    it("builders register a uniquely named subnet when they own none and can pay", () => {
      const view = playerView(s, botId("researchBuilder"));
      const acts = botActions("researchBuilder", view, rng());
      expect(acts[0]).toEqual({ type: "setEffort", research: 0.8, product: 0.2 });
      const reg = acts.find((a) => a.type === "registerSubnet") as Extract<Action, { type: "registerSubnet" }>;
      expect(reg).toBeDefined();
      expect(view.subnets.map((x) => x.name.toLowerCase())).not.toContain(reg.name.toLowerCase());
      const poor = { ...view, me: { ...view.me!, tao: "10" } };
      expect(botActions("researchBuilder", poor, rng()).some((a) => a.type === "registerSubnet")).toBe(false);
    });
  });
});
