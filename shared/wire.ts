/**
 * Amounts on the wire. The synced state sends pool reserves as float64 counts of rao (an integer):
 * 9 bytes instead of a 15–20 character decimal string, and exact for any amount below 2^53 rao
 * (about 9 million TAO or alpha, far above any pool in a game). Above that the value is off by at
 * most a few rao, which only touches a client's preview: the server's engine is the truth.
 */
import { amt, dec, Decimal } from "./decimal.js";

const RAO_PER_UNIT = new Decimal("1e9");

/** An amount string (rao grid) as a float64 count of rao. */
export function toWireRao(amount: string): number {
  return dec(amount).mul(RAO_PER_UNIT).toNumber();
}

/** A float64 count of rao back to the engine's amount string. */
export function fromWireRao(rao: number): string {
  if (!Number.isFinite(rao)) return "0";
  // Integers up to 2^53 print exactly; the division by 1e9 is exact in decimal.
  return amt(new Decimal(Math.round(rao).toString()).div(RAO_PER_UNIT));
}
