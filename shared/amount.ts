/**
 * Parsing amounts that arrive from players. An amount travels as a decimal string ("12.5");
 * anything else is a typed error, never a throw and never a NaN inside the engine.
 */
import { Decimal, type Dec, RAO_DECIMALS } from "./decimal.js";
import { err, ok, type Result } from "./errors.js";
import { TOTAL_SUPPLY_TAO } from "./constants.js";

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const MAX_AMOUNT = new Decimal(TOTAL_SUPPLY_TAO);
/** Longest string worth parsing: 21M with 9 decimals is 17 characters; leave room for leading zeros. */
const MAX_LENGTH = 40;

export function parseAmount(input: unknown, what = "amount"): Result<Dec> {
  if (typeof input !== "string") return err("amount/invalid", `${what} must be a decimal string such as "1.5"`);
  const s = input;
  if (s.length === 0) return err("amount/invalid", `${what} is empty`);
  if (s.length > MAX_LENGTH) return err("amount/too_large", `${what} is too long (at most ${MAX_LENGTH} characters)`);
  if (!DECIMAL_RE.test(s)) return err("amount/invalid", `${what} "${s}" is not a decimal number`);
  const d = new Decimal(s);
  if (d.lte(0)) return err("amount/not_positive", `${what} must be more than 0`);
  const fraction = s.split(".")[1];
  if (fraction !== undefined && fraction.replace(/0+$/, "").length > RAO_DECIMALS) {
    return err("amount/too_precise", `${what} has more than ${RAO_DECIMALS} decimals (1 rao = 0.000000001)`);
  }
  if (d.gt(MAX_AMOUNT)) return err("amount/too_large", `${what} is more than the 21,000,000 supply`);
  return ok(d);
}

/** Parse an optional limit price: same rules as an amount (positive, on the rao grid). */
export function parsePrice(input: unknown): Result<Dec> {
  return parseAmount(input, "limit price");
}
