/**
 * The engine's shortcuts give exactly what the plain paths give: a batch of actions is the fold
 * of applyAction; the shared public view is playerView's content; several position changes at
 * once are the fold of withPosition; a swap's bare fill is its quote's; the exact 40-digit swap
 * arithmetic is the exact integer one. And the validator bots' rotation of weights.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyAction, applyActions, type BatchEntry, BOT_STRATEGIES, botActions, botRole, createGame, dec, type GameState,
  HOST_ID, playerView, publicView, resolveRound, Rng, sharedView, stateHash,
} from "../shared/index.js";
import { WEIGHT_REFRESH_SUBNETS, weightTargets } from "../shared/bots.js";
import { floorRao } from "../shared/decimal.js";
import { withPosition, withPositions } from "../shared/ledger.js";
import { proRata, proRataEach } from "../shared/split.js";
import { fillSwap, quoteStake, quoteUnstake, surelyFills, type SwapParams } from "../shared/pool.js";
import type { Player } from "../shared/state.js";
import { ActionSchema, parseAction } from "../shared/actions.js";
import { deepFreeze } from "./support/invariants.js";

/** A started game with one bot per strategy (ids "b0"…), stepped `rounds` rounds by the bots. */
function botGame(seed: number, rounds: number, config: Record<string, unknown> = {}): { state: GameState; ids: string[] } {
  let s = createGame({ scenario: "dtao-launch", maxPlayers: 60, ...config }, seed);
  const ids: string[] = [];
  BOT_STRATEGIES.forEach((strategy, i) => {
    const r = applyAction(s, `b${i}`, { type: "join", name: strategy, role: botRole(strategy) });
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
    ids.push(`b${i}`);
  });
  const started = applyAction(s, HOST_ID, { type: "start" });
  if (!started.ok) throw new Error(started.error.message);
  s = started.state;
  for (let round = 0; round < rounds; round++) {
    const batch = botBatch(s, ids, seed * 31 + round);
    s = resolveRound(applyActions(s, batch).state).state;
  }
  return { state: s, ids };
}

function botBatch(s: GameState, ids: string[], seed: number): BatchEntry[] {
  const batch: BatchEntry[] = [];
  ids.forEach((id, i) => {
    for (const action of botActions(BOT_STRATEGIES[i], sharedView(s, id), new Rng(Rng.seedState(seed * 101 + i)))) {
      batch.push({ playerId: id, action });
    }
  });
  return batch;
}

function fold(state: GameState, entries: readonly BatchEntry[]) {
  let s = state;
  const results = entries.map((e) => {
    const r = applyAction(s, e.playerId, e.action);
    if (!r.ok) return r;
    s = r.state;
    return { ok: true as const, events: r.events };
  });
  return { state: s, results };
}

describe("applyActions", () => {
  const { state, ids } = botGame(5, 2);
  const odd: BatchEntry[] = [
    { playerId: "b1", action: { type: "stake", subnet: 1, tao: "999999" } },
    { playerId: "b1", action: { type: "stake", subnet: 2, tao: "1.5", limitPrice: "0.0001", allowPartial: true } },
    { playerId: "b2", action: { type: "unstake", subnet: 3, alpha: "0.1" } },
    { playerId: "ghost", action: { type: "stake", subnet: 1, tao: "1" } },
    { playerId: "late", action: { type: "join", name: "Late", role: "validator" } },
    { playerId: "late", action: { type: "stakeRoot", tao: "10" } },
    { playerId: "late", action: { type: "setWeights", subnet: 1, weights: { "0": 1, "1": 2 } } },
    { playerId: "late", action: { type: "setWeights", subnet: 0, weights: { "1": 1, "99": 1 } } },
    { playerId: "b9", action: { type: "registerSubnet", name: "Batchworks" } },
    { playerId: "b10", action: { type: "registerSubnet", name: "Batchworks 2" } },
    { playerId: HOST_ID, action: { type: "shock", kind: "hype" } },
    { playerId: "b3", action: { type: "nonsense" } },
    { playerId: "b3", action: null },
  ];

  it("is the fold of applyAction: same state, same answers, input untouched", () => {
    const entries = [...botBatch(state, ids, 77), ...odd, ...botBatch(state, ids, 78)];
    const frozen = deepFreeze(structuredClone(state));
    const before = stateHash(frozen);
    const batch = applyActions(frozen, entries);
    const folded = fold(frozen, entries);
    expect(stateHash(frozen)).toBe(before);
    expect(batch.results).toEqual(folded.results);
    expect(batch.state).toEqual(folded.state);
    expect(stateHash(batch.state)).toBe(stateHash(folded.state));
    expect(batch.results.filter((r) => !r.ok).length).toBeGreaterThan(3);
    // The result is an ordinary immutable state: a later action copies rather than writes.
    const snapshot = stateHash(batch.state);
    const next = applyActions(batch.state, botBatch(batch.state, ids, 79));
    expect(stateHash(batch.state)).toBe(snapshot);
    expect(stateHash(next.state)).toBe(stateHash(fold(batch.state, botBatch(batch.state, ids, 79)).state));
  });

  it("is the fold of applyAction for random sequences (property)", () => {
    const actors = [...ids, "late", "ghost", HOST_ID];
    const action = fc.oneof(
      fc.constantFrom(...odd.map((e) => e.action)),
      fc.record({ type: fc.constant("stake"), subnet: fc.integer({ min: 0, max: 9 }), tao: fc.constantFrom("1", "25.5", "0.000000001", "1000") }),
      fc.record({ type: fc.constant("unstake"), subnet: fc.integer({ min: 1, max: 9 }), alpha: fc.constantFrom("1", "10", "0.5") }),
      fc.record({ type: fc.constant("setWeights"), subnet: fc.integer({ min: 0, max: 9 }), weights: fc.dictionary(fc.constantFrom("0", "1", "2", "3", "9"), fc.double({ min: 0, max: 3, noNaN: true })) }),
      fc.constantFrom({ type: "start" }, { type: "end" }, { type: "setTake", take: "0.05" }, { type: "setRootClaim", mode: "keep" }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ playerId: fc.constantFrom(...actors), action }), { maxLength: 40 }), (entries) => {
        const batch = applyActions(state, entries);
        const folded = fold(state, entries);
        expect(batch.results).toEqual(folded.results);
        expect(stateHash(batch.state)).toBe(stateHash(folded.state));
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe("publicView and sharedView", () => {
  const { state, ids } = botGame(8, 2);

  it("sharedView has playerView's content; the public part is built once per state and frozen", () => {
    for (const id of [...ids, "nobody"]) expect(sharedView(state, id)).toEqual(playerView(state, id));
    expect(publicView(state)).toBe(publicView(state));
    expect(Object.isFrozen(publicView(state).subnets)).toBe(true);
    expect(Object.isFrozen(publicView(state).subnets[0])).toBe(true);
    expect(sharedView(state, ids[0]).subnets).toBe(sharedView(state, ids[1]).subnets);
  });

  it("playerView still hands out fresh copies", () => {
    const a = playerView(state, ids[0]);
    const b = playerView(state, ids[0]);
    a.subnets[0].priceHistory.push("1");
    (a.validators as { name: string }[])[0].name = "changed";
    (a.config as { minStake: string }).minStake = "5";
    expect(b).toEqual(sharedView(state, ids[0]));
    expect(publicView(state).subnets[0].priceHistory).not.toContain("1");
  });

  it("bots decide the same from either view", () => {
    BOT_STRATEGIES.forEach((strategy, i) => {
      const seed = Rng.seedState(40 + i);
      expect(botActions(strategy, sharedView(state, ids[i]), new Rng(seed))).toEqual(botActions(strategy, playerView(state, ids[i]), new Rng(seed)));
    });
  });
});

describe("validator bots on many subnets", () => {
  const { state, ids } = botGame(3, 0, { initialSubnets: 40, subnetLimit: 40 });
  const validators = BOT_STRATEGIES.map((s, i) => [s, ids[i]] as const).filter(([s]) => botRole(s) === "validator");
  const minerWeights = (s: GameState, strategy: (typeof BOT_STRATEGIES)[number], id: string) =>
    botActions(strategy, playerView(s, id), new Rng(Rng.seedState(1)))
      .filter((a): a is Extract<typeof a, { type: "setWeights" }> => a.type === "setWeights" && a.subnet !== 0)
      .map((a) => a.subnet);

  it("weight every subnet in their first round, then a rotating slice of at most 16, each subnet within ⌈n/16⌉ rounds", () => {
    const period = Math.ceil(40 / WEIGHT_REFRESH_SUBNETS);
    for (const [strategy, id] of validators) {
      expect(minerWeights(state, strategy, id)).toHaveLength(40);
      const seen = new Set<number>();
      for (let round = 1; round <= period; round++) {
        const later = { ...state, round };
        const subnets = minerWeights(later, strategy, id);
        expect(subnets.length).toBeGreaterThan(0);
        expect(subnets.length).toBeLessThanOrEqual(WEIGHT_REFRESH_SUBNETS);
        expect(subnets).toEqual(weightTargets(playerView(later, id)).map((s) => Number(s.netuid)));
        for (const n of subnets) seen.add(n);
        // Root weights are still sent every round.
        expect(botActions(strategy, playerView(later, id), new Rng(Rng.seedState(1))).some((a) => a.type === "setWeights" && a.subnet === 0)).toBe(true);
      }
      expect(seen.size).toBe(40);
    }
  });
});

describe("withPositions", () => {
  const base: Player = {
    id: "p", name: "P", role: "staker", npc: null, tao: "0", rootStake: "5", alpha: { "1": "3", "2": "1" },
    stakes: { "0": { v1: "5" }, "1": { v1: "2", v2: "1" }, "2": { v2: "1" } }, take: null, rootClaim: "swap",
    effort: { research: 0.5, product: 0.5 }, affiliation: [], joinedRound: 0, granted: "0",
  };
  it("is the fold of withPosition, key order included (property)", () => {
    const change = fc.tuple(fc.constantFrom("0", "1", "2", "3"), fc.constantFrom("v1", "v2", "v3", "7"), fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }));
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), (raw) => {
        const changes = raw.map(([n, v, rao]) => [n, v, dec(rao).div(1e9)] as const);
        let folded: Player | Error = base;
        try {
          for (const [n, v, d] of changes) folded = withPosition(folded as Player, n, v, d);
        } catch (e) {
          folded = e as Error;
        }
        if (folded instanceof Error) {
          expect(() => withPositions(base, changes)).toThrow(folded.message);
          return;
        }
        const batched = withPositions(base, changes);
        expect(JSON.stringify(batched)).toBe(JSON.stringify(folded));
        for (const n of Object.keys(batched.stakes)) expect(Object.keys(batched.stakes[n])).toEqual(Object.keys(folded.stakes[n]));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe("proRataEach", () => {
  it("pays proRata's parts in its map's order (property)", () => {
    const holder = fc.tuple(fc.constantFrom("a", "b", "c", "7", "d", "e"), fc.integer({ min: -2, max: 5_000_000_000 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_000_000_000 }), fc.array(holder, { maxLength: 8 }), (rao, raw) => {
        const total = dec(rao).div(1e9);
        const weights = new Map(raw.map(([k, w]) => [k, dec(w).div(1e9)] as const));
        const expected = [...proRata(total, weights)].map(([k, part]) => [k, part.toString()]);
        const paid: [string, string][] = [];
        const n = proRataEach(total, weights, (k, part) => paid.push([k, part.toString()]));
        expect(paid).toEqual(expected);
        expect(n).toBe(expected.length);
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe("swap fills", () => {
  const amount = fc.bigInt({ min: 1n, max: 21_000_000_000_000_000n }).map((r) => dec(r.toString()).div(1e9));
  const fee = fc.constantFrom("0", "0.0005", "0.003", "0.123456789");
  const toRao = (x: ReturnType<typeof dec>) => BigInt(x.times(1e9).toFixed(0));

  it("fillSwap reports exactly what the quote reports (property)", () => {
    fc.assert(
      fc.property(amount, amount, amount, fee, fc.boolean(), (t, a, x, f, buy) => {
        const pool = { taoReserve: t.toString(), alphaReserve: a.toString() };
        const params: SwapParams = { fee: dec(f), minReserve: dec("0.01") };
        const q = buy ? quoteStake(pool, x, params) : quoteUnstake(pool, x, params);
        const fill = fillSwap(buy, pool, x, params);
        expect(fill.ok).toBe(q.ok);
        if (!q.ok || !fill.ok) return void expect(fill).toEqual(q);
        expect(fill.value).toEqual({
          amountIn: q.value.amountIn, requested: q.value.requested, fee: q.value.fee, amountOut: q.value.amountOut,
          partial: q.value.partial, pool: q.value.pool,
        });
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("surelyFills says yes only when the exact fill succeeds, and says it for ordinary trades (property)", () => {
    let yes = 0;
    const small = fc.bigInt({ min: 1n, max: 50_000_000_000n }).map((r) => dec(r.toString()).div(1e9));
    fc.assert(
      fc.property(fc.oneof(amount, small), fc.oneof(amount, small), fc.oneof(amount, small), fee, fc.constantFrom("0", "0.01", "5", "100"), fc.boolean(), (t, a, x, f, m, buy) => {
        const pool = { taoReserve: t.toString(), alphaReserve: a.toString() };
        const sure = surelyFills(buy, pool, x.toString(), Number(f), Number(m));
        if (sure) {
          yes++;
          expect(fillSwap(buy, pool, x, { fee: dec(f), minReserve: dec(m) }).ok).toBe(true);
        }
      }),
      { numRuns: 2000, seed: 13 },
    );
    expect(yes).toBeGreaterThan(200);
    // Near the reserve floor and near a zero output it defers to the exact check.
    const nearFloor = { taoReserve: "100", alphaReserve: "1000" }; // 9,999,900 τ in leaves exactly 0.01 α
    expect(surelyFills(true, nearFloor, "9999900", 0, 0.01)).toBe(false);
    expect(surelyFills(true, nearFloor, "9999800", 0, 0.01)).toBe(false);
    expect(fillSwap(true, nearFloor, dec("9999800"), { fee: dec(0), minReserve: dec("0.01") }).ok).toBe(true);
    expect(surelyFills(true, { taoReserve: "100000", alphaReserve: "1" }, "0.000001", 0, 0.01)).toBe(false);
    expect(surelyFills(true, { taoReserve: "100", alphaReserve: "1000" }, "10", 0.0005, 0.01)).toBe(true);
  });

  it("fee and output are the exact integer floors and ceilings (property)", () => {
    fc.assert(
      fc.property(amount, amount, amount, fee, (t, a, x, f) => {
        const pool = { taoReserve: t.toString(), alphaReserve: a.toString() };
        const r = fillSwap(true, pool, x, { fee: dec(f), minReserve: dec(0) });
        if (!r.ok) return;
        // fee = ceil(gross·f) in rao, out = floor(A·net / (T + net)) in rao.
        const fRao = BigInt(dec(f).times(1e9).toFixed(0));
        const gross = toRao(x);
        const feeRao = (gross * fRao + 999_999_999n) / 1_000_000_000n;
        const net = gross - feeRao;
        expect(toRao(r.value.fee)).toBe(feeRao);
        expect(toRao(r.value.amountOut)).toBe((toRao(a) * net) / (toRao(t) + net));
        expect(floorRao(r.value.amountOut).eq(r.value.amountOut)).toBe(true);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe("parseAction's fast path", () => {
  /** What parseAction answered before the fast path: zod alone. */
  function zodOnly(input: unknown) {
    const r = ActionSchema.safeParse(input);
    return r.success ? { ok: true, json: JSON.stringify(r.data), keys: Object.keys(r.data) } : { ok: false };
  }
  const odd = fc.oneof(
    fc.constant(undefined), fc.constant(null), fc.boolean(), fc.constantFrom(0.5, -0, NaN, Infinity, -1, 2 ** 53, 4096, 4097),
    fc.string({ maxLength: 12 }), fc.constantFrom("x".repeat(65), "y".repeat(10_001)), fc.constant([1]), fc.constant({}),
  );
  const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: odd });
  const netuid = maybe(fc.integer({ min: 0, max: 4096 }));
  const amount = maybe(fc.constantFrom("1", "0.5", "12.000000001", "abc", ""));
  const weightKey = fc.oneof(fc.constantFrom("0", "1", "7", "12", "__proto__", "constructor", "123456789"), fc.string({ maxLength: 10 }));
  const weights = maybe(fc.dictionary(weightKey, maybe(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())), { maxKeys: 5 }));
  const extra = fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.record({ extra: odd }) });
  const action = fc.oneof(
    fc.tuple(fc.record({ type: fc.constant("setWeights"), subnet: netuid, weights }, { requiredKeys: ["type"] }), extra),
    fc.tuple(fc.record({
      type: fc.constantFrom("stake", "unstake"), subnet: netuid, tao: amount, alpha: amount, limitPrice: amount,
      allowPartial: maybe(fc.boolean()), validator: maybe(fc.constantFrom("npc:v1", "bot3")),
    }, { requiredKeys: ["type"] }), extra),
    fc.tuple(fc.record({ type: fc.constant("stakeRoot"), tao: amount, validator: maybe(fc.constant("npc:v2")) }, { requiredKeys: ["type"] }), extra),
  ).map(([a, e]) => ({ ...a, ...e }));

  it("accepts exactly what zod accepts, with the same result (property)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(action, (input) => {
        const r = parseAction(input);
        const z = zodOnly(input);
        expect(r.ok).toBe(z.ok);
        if (r.ok) accepted++;
        if (r.ok && z.ok) {
          expect(JSON.stringify(r.action)).toBe(z.json);
          expect(Object.keys(r.action)).toEqual(z.keys);
        }
      }),
      { numRuns: 3000, seed: 9 },
    );
    expect(accepted).toBeGreaterThan(300);
    const fromJson = JSON.parse('{"type":"setWeights","subnet":1,"weights":{"__proto__":5,"0":1}}');
    expect(JSON.stringify((parseAction(fromJson) as { action: unknown }).action)).toBe(zodOnly(fromJson).json);
  });
});
