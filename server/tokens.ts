/** Session codes and secret tokens. */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";

/** No look-alikes: no I, L, O, 0, 1. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 6;

export function newCode(): string {
  let s = "";
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

export function normaliseCode(raw: string): string {
  return raw.trim().toUpperCase();
}

export function newToken(): string {
  return randomBytes(18).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function tokenMatches(token: unknown, hash: string | null): boolean {
  if (typeof token !== "string" || token.length === 0 || token.length > 100 || !hash) return false;
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newPlayerId(): string {
  return `p_${randomBytes(6).toString("base64url")}`;
}

export function newSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}
