/**
 * Typed rejections. An expected failure (bad input, wrong phase, not enough balance) is a
 * value with a stable code; throwing is kept for bugs. Codes are namespaced like
 * boardgame.io's 'action/...' so the client can map them to words.
 */
export const ERROR_CODES = [
  "action/malformed",
  "action/unknown_type",
  "amount/invalid",
  "amount/too_precise",
  "amount/not_positive",
  "amount/too_large",
  "amount/below_minimum",
  "balance/insufficient",
  "subnet/unknown",
  "subnet/root_not_allowed",
  "subnet/limit_reached",
  "subnet/name_taken",
  "pool/reserve_floor",
  "pool/limit_price",
  "player/unknown",
  "player/exists",
  "player/name_taken",
  "player/full",
  "role/forbidden",
  "phase/forbidden",
  "validator/unknown",
  "weights/invalid",
  "effort/invalid",
  "ruleset/unknown",
  "shock/invalid",
  "registration/rate_limited",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface EngineError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function engineError(code: ErrorCode, message: string): EngineError {
  return { code, message };
}

/** Result of a fallible pure step: either a value or a typed error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: EngineError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: engineError(code, message) };
}
