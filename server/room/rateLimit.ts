/**
 * Per-client token bucket (Colyseus 0.16 has no built-in rate limit). Refill `rate` tokens a
 * second up to `burst`; an empty bucket refuses the message. Sustained abuse (many refusals in
 * a window) tells the room to disconnect the client.
 */
export interface Bucket {
  tokens: number;
  last: number;
  refusedInWindow: number;
  windowStart: number;
}

export interface RateLimitConfig {
  rate: number;
  burst: number;
  /** Refusals within `windowMs` that count as abuse. */
  abuseRefusals: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { rate: 20, burst: 40, abuseRefusals: 200, windowMs: 10_000 };

export function newBucket(cfg: RateLimitConfig, now: number): Bucket {
  return { tokens: cfg.burst, last: now, refusedInWindow: 0, windowStart: now };
}

export type Verdict = "ok" | "refused" | "abuse";

export function take(b: Bucket, cfg: RateLimitConfig, now: number): Verdict {
  b.tokens = Math.min(cfg.burst, b.tokens + ((now - b.last) / 1000) * cfg.rate);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return "ok";
  }
  if (now - b.windowStart > cfg.windowMs) {
    b.windowStart = now;
    b.refusedInWindow = 0;
  }
  b.refusedInWindow++;
  return b.refusedInWindow >= cfg.abuseRefusals ? "abuse" : "refused";
}
