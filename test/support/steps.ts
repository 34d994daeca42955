/**
 * Random play for property tests: fast-check arbitraries of "steps" (a person's or the host's
 * action, or a resolution), turned into concrete actions against the current state, so amounts
 * can be fractions of what a player really holds as well as fixed strings (valid, huge, tiny,
 * malformed). The actions reach the engine exactly as a client would send them.
 */
import fc from "fast-check";
import {
  amt, dec, type GameConfigInput, type GameState, HOST_ID, RULESET_NAMES, type RulesetName, SHOCK_KINDS, ROLES,
} from "../../shared/index.js";

/** The people of a property game, joined in this order before the start. */
export const PEOPLE = [["sam", "staker"], ["bob", "builder"], ["val", "validator"]] as const;
const ACTORS = ["sam", "bob", "val"] as const;
/** Ids that must never be able to act: a stranger, an NPC, the host seat for a player action. */
const IMPOSTORS = ["zed", "npc:v1", "@miners", HOST_ID] as const;

export type AmountSpec = { readonly lit: string } | { readonly permille: number };

export type Step =
  | { readonly t: "stake"; readonly who: string; readonly subnet: number; readonly amount: AmountSpec; readonly validator?: string; readonly limit?: string; readonly partial?: boolean }
  | { readonly t: "unstake"; readonly who: string; readonly subnet: number | { readonly held: number }; readonly amount: AmountSpec; readonly validator?: string; readonly limit?: string; readonly partial?: boolean }
  | { readonly t: "stakeRoot"; readonly who: string; readonly amount: AmountSpec; readonly validator?: string }
  | { readonly t: "unstakeRoot"; readonly who: string; readonly amount: AmountSpec; readonly validator?: string }
  | { readonly t: "setWeights"; readonly who: string; readonly subnet: number; readonly weights: Record<string, number> }
  | { readonly t: "setEffort"; readonly who: string; readonly research: number; readonly product: number }
  | { readonly t: "setTake"; readonly who: string; readonly take: string }
  | { readonly t: "register"; readonly who: string; readonly name: string }
  | { readonly t: "rootClaim"; readonly who: string; readonly mode: "swap" | "keep" }
  | { readonly t: "setRole"; readonly who: string; readonly role: string }
  | { readonly t: "join"; readonly who: string; readonly role: string }
  | { readonly t: "shock"; readonly kind: string; readonly subnet?: number }
  | { readonly t: "ruleset"; readonly ruleset: string }
  | { readonly t: "host"; readonly type: "start" | "end" }
  | { readonly t: "raw"; readonly who: string; readonly action: unknown }
  | { readonly t: "resolve" };

const who = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ACTORS) }, { weight: 1, arbitrary: fc.constantFrom(...IMPOSTORS) });
const subnet = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 2, arbitrary: fc.integer({ min: 5, max: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 9, 4096) },
);
/** For an unstake: mostly a subnet the player really holds (resolved against the state). */
const unstakeSubnet = fc.oneof({ weight: 2, arbitrary: fc.nat(7).map((held) => ({ held })) }, { weight: 1, arbitrary: subnet });
/** Role-specific actions go mostly to the person with that role. */
const mostly = (id: string) => fc.oneof({ weight: 5, arbitrary: fc.constant(id) }, { weight: 1, arbitrary: who });
/** Trades go to the staker half the time, so positions build up and unstakes have something to sell. */
const trader = fc.oneof({ weight: 1, arbitrary: fc.constant("sam") }, { weight: 1, arbitrary: who });
/** Optional fields: absent most of the time. */
const sometimes = <T>(arb: fc.Arbitrary<T>, absent = 3) =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const validator = sometimes(fc.constantFrom("val", "npc:v1", "npc:v2", "nobody", "sam"));
/** Unstakes mostly leave the validator out (positions largest first), so they match what is held. */
const unstakeValidator = sometimes(fc.constantFrom("val", "npc:v1", "npc:v2", "nobody"), 5);

const validAmount = fc.oneof(
  fc.constantFrom("1", "0.5", "2.5", "10", "25", "100", "0.002", "7.123456789"),
  fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 999_999_999 }))
    .map(([i, f]) => `${i}.${String(f).padStart(9, "0")}`),
);
const hugeAmount = fc.constantFrom("21000000", "21000001", "20999999.999999999", "9".repeat(39), "9".repeat(41), "1".padEnd(300, "0"));
const tinyAmount = fc.constantFrom("0.000000001", "0.001", "0.0019", "0.0000000001", "0.000000000", "0");
const badAmount = fc.constantFrom("abc", "-1", "1e3", "", " 1", "1 ", "NaN", "Infinity", "1.", ".5", "0x10", "1,5", "+1", "١");

export const amountSpec: fc.Arbitrary<AmountSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1000 }).map((permille) => ({ permille })) },
  { weight: 4, arbitrary: validAmount.map((lit) => ({ lit })) },
  { weight: 1, arbitrary: hugeAmount.map((lit) => ({ lit })) },
  { weight: 1, arbitrary: tinyAmount.map((lit) => ({ lit })) },
  { weight: 1, arbitrary: badAmount.map((lit) => ({ lit })) },
);

const limit = sometimes(fc.constantFrom("0.001", "0.05", "0.3", "1", "1000", "abc", "0"));
const weight = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, Number.NaN, Number.POSITIVE_INFINITY, 1e308) },
);
/** Keys "1"–"3" are both starting netuids (root weights) and miner uids (subnet weights); the rest are often invalid. */
const weights = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom("1", "2", "3"), fc.double({ min: 0.01, max: 10, noNaN: true }), { minKeys: 1, maxKeys: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "9", "x", "-1"), weight, { maxKeys: 4 }) },
);
const effortNumber = fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(-1, 0, 1, Number.POSITIVE_INFINITY, 5e-324));
const subnetName = fc.oneof(
  fc.constantFrom("Nova", "nova", "Apex", "Cortex", "Nimbus", " ", "\u0000\u200b", "A".repeat(60), "Zeta Labs"),
  fc.string({ maxLength: 30 }),
);
const garbage = fc.oneof(
  fc.constantFrom<unknown>(null, 42, "stake", [1, 2], {}, { type: "teleport" }, { type: "stake", subnet: 1, tao: 5 },
    { type: "stakeRoot", tao: "1", extra: true }, { type: "stake", subnet: 1.5, tao: "1" }, { type: "setWeights", subnet: 1, weights: [1] }),
  fc.record({ type: fc.constantFrom("stake", "unstake", "join", "shock", "setEffort"), subnet: fc.anything() }),
);

/** Unstakes mostly name a share of what is held, so most of them can go through. */
const unstakeAmount: fc.Arbitrary<AmountSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 1000 }).map((permille) => ({ permille })) },
  { weight: 1, arbitrary: amountSpec },
);

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant("stake" as const), who: trader, subnet, amount: amountSpec, validator, limit, partial: sometimes(fc.boolean(), 1) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant("unstake" as const), who: trader, subnet: unstakeSubnet, amount: unstakeAmount, validator: unstakeValidator, limit, partial: sometimes(fc.boolean(), 1) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("stakeRoot" as const), who: trader, amount: amountSpec, validator }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("unstakeRoot" as const), who: trader, amount: unstakeAmount, validator: unstakeValidator }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("setWeights" as const), who: mostly("val"), subnet: fc.integer({ min: 0, max: 7 }), weights }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("setEffort" as const), who: mostly("bob"), research: effortNumber, product: effortNumber }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("setTake" as const), who: mostly("val"), take: fc.constantFrom("0", "0.1", "0.18", "0.180000001", "0.5", "x") }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("register" as const), who: mostly("bob"), name: subnetName }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("rootClaim" as const), who, mode: fc.constantFrom("swap" as const, "keep" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("setRole" as const), who, role: fc.constantFrom(...ROLES, "king") }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("join" as const), who: fc.constantFrom("late1", "late2", "sam", "npc:x", ""), role: fc.constantFrom(...ROLES) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("shock" as const), kind: fc.constantFrom(...SHOCK_KINDS, "meteor"), subnet: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("ruleset" as const), ruleset: fc.constantFrom<string>(...RULESET_NAMES, "anarchy") }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("host" as const), type: fc.constantFrom(...Array<"start">(9).fill("start"), "end" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("raw" as const), who, action: garbage }) },
  { weight: 7, arbitrary: fc.constant({ t: "resolve" as const }) },
);

/** A small, fast game for a given rule set, with the registration knobs varied so pruning happens. */
export function configArb(ruleset: RulesetName): fc.Arbitrary<GameConfigInput> {
  return fc.record({
    ruleset: fc.constant(ruleset),
    initialSubnets: fc.constant(4),
    rootValidators: fc.constant(8),
    minersPerSubnet: fc.constant(4),
    rounds: fc.integer({ min: 5, max: 10 }),
    subnetLimit: fc.integer({ min: 4, max: 6 }),
    immunityRounds: fc.integer({ min: 0, max: 3 }),
    lockReductionRounds: fc.integer({ min: 1, max: 6 }),
    minLockCost: fc.constantFrom("10", "100"),
    startingTao: fc.constantFrom("1000", "3000"),
    eventRate: fc.constantFrom(0, 0.5),
    npcNoiseTraders: fc.integer({ min: 0, max: 1 }),
    npcMomentumTraders: fc.integer({ min: 0, max: 1 }),
    npcFundamentalTraders: fc.integer({ min: 0, max: 1 }),
    npcWhales: fc.integer({ min: 0, max: 1 }),
    minerSellFraction: fc.constantFrom(0, 0.3),
    bondAlpha: fc.constantFrom(0, 0, 0.1),
  });
}

function resolveAmount(spec: AmountSpec, held: string | undefined): string {
  if ("lit" in spec) return spec.lit;
  const h = dec(held ?? "0");
  return spec.permille === 1000 ? amt(h) : amt(h.mul(spec.permille).div(1000));
}

/** The concrete (actor, action) a step stands for in this state; null for a resolution. */
export function materialise(step: Step, s: GameState): { actor: string; action: unknown } | null {
  const p = "who" in step ? s.players[step.who] : undefined;
  const opt = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (step.t) {
    case "resolve":
      return null;
    case "stake":
      return { actor: step.who, action: opt({ type: "stake", subnet: step.subnet, tao: resolveAmount(step.amount, p?.tao), validator: step.validator, limitPrice: step.limit, allowPartial: step.partial }) };
    case "unstake": {
      const owned = Object.keys(p?.alpha ?? {}).sort((a, b) => Number(a) - Number(b));
      const netuid = typeof step.subnet === "number" ? step.subnet : Number(owned[step.subnet.held % Math.max(1, owned.length)] ?? 1);
      const held = step.validator ? p?.stakes[String(netuid)]?.[step.validator] : p?.alpha[String(netuid)];
      return { actor: step.who, action: opt({ type: "unstake", subnet: netuid, alpha: resolveAmount(step.amount, held), validator: step.validator, limitPrice: step.limit, allowPartial: step.partial }) };
    }
    case "stakeRoot":
      return { actor: step.who, action: opt({ type: "stakeRoot", tao: resolveAmount(step.amount, p?.tao), validator: step.validator }) };
    case "unstakeRoot": {
      const held = step.validator ? p?.stakes["0"]?.[step.validator] : p?.rootStake;
      return { actor: step.who, action: opt({ type: "unstakeRoot", tao: resolveAmount(step.amount, held), validator: step.validator }) };
    }
    case "setWeights":
      return { actor: step.who, action: { type: "setWeights", subnet: step.subnet, weights: step.weights } };
    case "setEffort":
      return { actor: step.who, action: { type: "setEffort", research: step.research, product: step.product } };
    case "setTake":
      return { actor: step.who, action: { type: "setTake", take: step.take } };
    case "register":
      return { actor: step.who, action: { type: "registerSubnet", name: step.name } };
    case "rootClaim":
      return { actor: step.who, action: { type: "setRootClaim", mode: step.mode } };
    case "setRole":
      return { actor: step.who, action: { type: "setRole", role: step.role } };
    case "join":
      return { actor: step.who, action: { type: "join", name: step.who || "nobody", role: step.role } };
    case "shock":
      return { actor: HOST_ID, action: opt({ type: "shock", kind: step.kind, subnet: step.subnet }) };
    case "ruleset":
      return { actor: HOST_ID, action: { type: "setRuleset", ruleset: step.ruleset } };
    case "host":
      return { actor: HOST_ID, action: { type: step.type } };
    case "raw":
      return { actor: step.who, action: step.action };
  }
}
