/** Process-wide services the rooms use (rooms are created by the matchmaker, so they cannot take them as arguments). */
import type { RateLimitConfig } from "./room/rateLimit.js";
import { DEFAULT_RATE_LIMIT } from "./room/rateLimit.js";
import type { Cluster } from "./cluster.js";
import type { SessionStore } from "./store.js";

export interface ServerContext {
  store: SessionStore;
  /** Seconds a dropped client keeps its live connection slot (Colyseus reconnection). */
  reconnectSeconds: number;
  /** Seconds between the end of a round's resolution and the next acting phase. */
  resolveSeconds: number;
  /** Grace given to a restored session whose deadline passed while the server was down. */
  restoreGraceSeconds: number;
  rateLimit: RateLimitConfig;
  /** Bots act this many ms after a round opens (spread up to twice this). */
  botDelayMs: number;
  quickPlay: { bots: number; rounds: number; roundSeconds: number };
  publicUrl: string;
  /** Session codes the server is about to open (sessions API, restore); a room only loads a stored session from this set. */
  authorisedCodes: Set<string>;
  /** Open a stored session as a room in this process; its code must already be claimed (cluster.allocate or claim). */
  openSession(code: string): Promise<void>;
  /** Session codes and where sessions live, shared with other processes through presence (Redis when REDIS_URL is set). */
  cluster: Cluster;
}

let current: ServerContext | null = null;

export function setContext(ctx: ServerContext): void {
  current = ctx;
}

export function context(): ServerContext {
  if (!current) throw new Error("server context not set");
  return current;
}

export const DEFAULTS = {
  reconnectSeconds: 60,
  resolveSeconds: 4,
  restoreGraceSeconds: 15,
  rateLimit: DEFAULT_RATE_LIMIT,
  botDelayMs: 1500,
  quickPlay: { bots: 5, rounds: 30, roundSeconds: 45 },
};
