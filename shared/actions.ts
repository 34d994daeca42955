/**
 * The action vocabulary, defined once: a zod discriminated union on `type`, from which the
 * TypeScript types are derived. The server validates every message with `parseAction`; the client
 * builds actions with the same types. Amounts are strings (checked precisely by amount.ts).
 */
import { z } from "zod";
import { RULESET_NAMES, type RulesetName } from "./config.js";
import { engineError, type EngineError } from "./errors.js";
import { ROLES } from "./state.js";

const netuid = z.number().int().min(0).max(4096);
const amount = z.string().max(10_000);
const name = z.string().max(200);

export const SHOCK_KINDS = ["whaleExit", "exploit", "breakthrough", "hype", "halving"] as const;
export type ShockKind = (typeof SHOCK_KINDS)[number];

export const ActionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("join"), name, role: z.enum(ROLES) }).strict(),
  z.object({ type: z.literal("setRole"), role: z.enum(ROLES) }).strict(),
  z.object({
    type: z.literal("stake"), subnet: netuid, tao: amount, limitPrice: amount.optional(),
    allowPartial: z.boolean().optional(), validator: z.string().max(64).optional(),
  }).strict(),
  z.object({
    type: z.literal("unstake"), subnet: netuid, alpha: amount, limitPrice: amount.optional(),
    allowPartial: z.boolean().optional(), validator: z.string().max(64).optional(),
  }).strict(),
  z.object({ type: z.literal("stakeRoot"), tao: amount, validator: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal("unstakeRoot"), tao: amount, validator: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal("registerSubnet"), name }).strict(),
  z.object({ type: z.literal("setEffort"), research: z.number(), product: z.number() }).strict(),
  z.object({
    type: z.literal("setWeights"), subnet: netuid,
    weights: z.record(z.string().max(8), z.number()),
  }).strict(),
  z.object({ type: z.literal("setTake"), take: amount }).strict(),
  z.object({ type: z.literal("setRootClaim"), mode: z.enum(["swap", "keep"]) }).strict(),
  // Host actions: same path, same log, so a replay covers them.
  z.object({ type: z.literal("start") }).strict(),
  z.object({ type: z.literal("end") }).strict(),
  z.object({ type: z.literal("setRuleset"), ruleset: z.string().max(40) }).strict(),
  z.object({ type: z.literal("shock"), kind: z.string().max(40), subnet: netuid.optional() }).strict(),
  z.object({ type: z.literal("configure"), rounds: z.number().int().min(1).max(100_000) }).strict(),
]);

export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action["type"];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
export const ACTION_TYPES = ActionSchema.options.map((o) => o.shape.type.value) as ActionType[];
export const HOST_ACTIONS: readonly ActionType[] = ["start", "end", "setRuleset", "shock", "configure"];
export const PLAYER_ACTIONS: readonly ActionType[] = ACTION_TYPES.filter((t) => !HOST_ACTIONS.includes(t));

export function isRulesetName(s: string): s is RulesetName {
  return (RULESET_NAMES as string[]).includes(s);
}

/** Shape check of an untrusted message; never throws. */
export function parseAction(input: unknown): { ok: true; action: Action } | { ok: false; error: EngineError } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, error: engineError("action/malformed", "an action must be an object with a type") };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== "string" || !(ACTION_TYPES as string[]).includes(type)) {
    return { ok: false, error: engineError("action/unknown_type", `unknown action type ${JSON.stringify(type)?.slice(0, 40)}`) };
  }
  const quick = quickParse(input as Record<string, unknown>, type);
  if (quick) return { ok: true, action: quick };
  const parsed = ActionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || type;
    return { ok: false, error: engineError("action/malformed", `${type}: ${where}: ${issue?.message ?? "invalid"}`) };
  }
  return { ok: true, action: parsed.data };
}

/*
 * A fast path for the actions bots and people send most, in their plainest form: a plain object
 * with only known fields, each of the exact type and within the schema's limits, and no undefined
 * values. Such input is valid for the schema, and the result is what the schema returns (fields in
 * schema order; a record's entries in the input's order). Anything else, valid or not, goes to zod,
 * which also words the errors.
 */
const TRADE_FIELDS = ["limitPrice", "allowPartial", "validator"] as const;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

function isNetuid(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0 && x <= 4096;
}

function isAmountString(x: unknown): x is string {
  return typeof x === "string" && x.length <= 10_000;
}

/** Own keys of `input` all in `allowed` with defined values; how many. -1 if not. */
function knownKeys(input: Record<string, unknown>, allowed: readonly string[]): number {
  const keys = Object.keys(input);
  for (const k of keys) if (!allowed.includes(k) || input[k] === undefined) return -1;
  return keys.length;
}

function quickParse(input: Record<string, unknown>, type: string): Action | undefined {
  if (!isPlainObject(input)) return undefined;
  switch (type) {
    case "setWeights": {
      if (knownKeys(input, ["type", "subnet", "weights"]) !== 3 || !isNetuid(input.subnet)) return undefined;
      const raw = input.weights;
      if (!isPlainObject(raw)) return undefined;
      const weights: Record<string, number> = {};
      for (const k of Object.keys(raw)) {
        const w = raw[k];
        if (k.length > 8 || k === "__proto__" || typeof w !== "number" || !Number.isFinite(w)) return undefined;
        weights[k] = w;
      }
      return { type, subnet: input.subnet, weights };
    }
    case "stake":
    case "unstake": {
      const amountKey = type === "stake" ? "tao" : "alpha";
      const n = knownKeys(input, ["type", "subnet", amountKey, ...TRADE_FIELDS]);
      const amount = input[amountKey];
      if (n < 3 || !isNetuid(input.subnet) || !isAmountString(amount)) return undefined;
      const { limitPrice, allowPartial, validator } = input;
      if (limitPrice !== undefined && !isAmountString(limitPrice)) return undefined;
      if (allowPartial !== undefined && typeof allowPartial !== "boolean") return undefined;
      if (validator !== undefined && !(typeof validator === "string" && validator.length <= 64)) return undefined;
      const out: Record<string, unknown> = { type, subnet: input.subnet, [amountKey]: amount };
      if (limitPrice !== undefined) out.limitPrice = limitPrice;
      if (allowPartial !== undefined) out.allowPartial = allowPartial;
      if (validator !== undefined) out.validator = validator;
      return out as Action;
    }
    case "stakeRoot": {
      const n = knownKeys(input, ["type", "tao", "validator"]);
      if (n < 2 || !isAmountString(input.tao)) return undefined;
      const validator = input.validator;
      if (validator !== undefined && !(typeof validator === "string" && validator.length <= 64)) return undefined;
      return validator === undefined ? { type, tao: input.tao } : { type, tao: input.tao, validator };
    }
    default:
      return undefined;
  }
}
