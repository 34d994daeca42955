/**
 * Several server processes sharing one Redis (REDIS_URL): session codes that are unique across
 * processes, and which process stores each session. Without Redis the same code runs on Colyseus's
 * in-memory LocalPresence, for one process, and behaves as before.
 *
 * A session lives in one process: that process created it (or restored it), hosts its room, and
 * stores it in its own DATA_DIR. Every process is known by its public address (PUBLIC_ADDRESS),
 * which must be unique and stable across restarts of the same DATA_DIR.
 *
 * Kept in presence (Redis):
 *   arena:codes   code -> claim counter. A room's code is claimed before the room opens
 *                 (HINCRBY == 1 wins) and released (HDEL) when the room is disposed.
 *   arena:claims  code -> address of the process holding that claim (to recognise claims left
 *                 behind by a process that was killed).
 *   arena:homes   code -> address of the process whose DATA_DIR stores the session. Written when a
 *                 session is created and, for every stored session, when its process starts.
 *   arena:store:<address>  a channel each process answers on: another process asking for a stored
 *                 session (exports of a session stored elsewhere).
 */
import { type Presence, requestFromIPC, subscribeIPC } from "@colyseus/core";
import { log } from "./log.js";
import type { LoadedSession, SessionStore } from "./store.js";
import { newCode } from "./tokens.js";

const CODES = "arena:codes";
const CLAIMS = "arena:claims";
const HOMES = "arena:homes";
const storeChannel = (address: string) => `arena:store:${address}`;
/** A channel name as a literal PUBSUB CHANNELS pattern. */
const literalPattern = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

const CODE_RE = /^[A-Z0-9]{4,12}$/;
/** How long another process may take to send a stored session (exports). */
const FETCH_TIMEOUT_MS = 5000;

export class ClusterError extends Error {}

export class Cluster {
  constructor(
    private readonly presence: Presence,
    /** This process's public address ("local" when it runs alone). */
    readonly self: string,
    private readonly store: SessionStore,
  ) {}

  /**
   * Start answering other processes. Refuses to start when a live process already uses this
   * address: two processes with one address would each think the other's sessions are theirs.
   */
  async start(): Promise<void> {
    if (await this.processLive(this.self)) {
      throw new ClusterError(`another live server process already uses the public address ${this.self}`);
    }
    await subscribeIPC(this.presence, storeChannel(this.self), (method: string, args: unknown[]) => {
      const code = String(args?.[0] ?? "");
      const stored = CODE_RE.test(code) && this.store.exists(code);
      if (method === "exists") return stored;
      if (method !== "load") throw new Error(`unknown request ${String(method).slice(0, 20)}`);
      if (!stored) return null;
      const loaded = this.store.load(code);
      // Exports need the meta and the log; the snapshot stays home.
      return { meta: loaded.meta, snapshot: null, entries: loaded.entries } satisfies LoadedSession;
    });
  }

  /** Is a process with this address connected to presence right now? */
  async processLive(address: string): Promise<boolean> {
    return (await this.presence.channels(literalPattern(storeChannel(address)))).length > 0;
  }

  // ---------------------------------------------------------------- codes

  /** Claim a code for a room about to open: true when no other room holds it. */
  async claim(code: string): Promise<boolean> {
    if ((await this.presence.hincrby(CODES, code, 1)) !== 1) return false;
    await this.presence.hset(CLAIMS, code, this.self);
    return true;
  }

  /** Give a code back (its room is disposed, or did not open). */
  async release(code: string): Promise<void> {
    await this.presence.hdel(CLAIMS, code);
    await this.presence.hdel(CODES, code);
  }

  /**
   * A new session code, claimed by this process and registered as stored here: no live room has
   * it, and no process stores a session with it.
   */
  async allocate(): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const code = newCode();
      if (this.store.exists(code)) continue;
      if (!(await this.claim(code))) continue;
      if ((await this.home(code)) !== null) {
        await this.release(code);
        continue;
      }
      await this.presence.hset(HOMES, code, this.self);
      return code;
    }
    throw new ClusterError("could not find a free code");
  }

  /** The address of the process that stores this session, or null if none registered it. */
  async home(code: string): Promise<string | null> {
    return (await this.presence.hget(HOMES, code)) ?? null;
  }

  /**
   * At start, for a session in this process's DATA_DIR: register it as stored here, unless a live
   * process at another address stores it (a copied or shared data folder). True if it is ours.
   */
  async adopt(code: string): Promise<boolean> {
    const home = await this.home(code);
    if (home === this.self) return true;
    if (home !== null && (await this.processLive(home))) return false;
    await this.presence.hset(HOMES, code, this.self);
    return true;
  }

  /**
   * Claim a stored session's code to reopen it at start. A claim still held by this address (the
   * previous run was killed and never released it) or by a process that is gone is taken over;
   * a claim held by a live process, or a room that is listed live, is left alone.
   */
  async claimForRestore(code: string, listedLive: () => Promise<boolean>): Promise<boolean> {
    if (await this.claim(code)) return true;
    if (await listedLive()) return false;
    let holder = (await this.presence.hget(CLAIMS, code)) ?? null;
    if (holder === null) {
      // Claimed a moment ago and not yet recorded, or its holder died right in between: look again.
      await new Promise((r) => setTimeout(r, 500));
      holder = (await this.presence.hget(CLAIMS, code)) ?? null;
      if (holder !== null && holder !== this.self) return false;
    } else if (holder !== this.self && (await this.processLive(holder))) {
      return false;
    }
    if (await listedLive()) return false;
    log.warn({ code, holder }, "took over a session code left claimed by a stopped process");
    await this.presence.hset(CODES, code, "1");
    await this.presence.hset(CLAIMS, code, this.self);
    return true;
  }

  // ---------------------------------------------------------------- sessions stored elsewhere

  /**
   * Where a session is stored: "here" (this process's DATA_DIR), the address of another process,
   * or null when no process has it.
   */
  async locate(code: string): Promise<"here" | { address: string } | null> {
    const home = await this.home(code);
    if (home !== null && home !== this.self) return { address: home };
    if (this.store.exists(code)) return "here";
    return null;
  }

  /**
   * Does the process at `address` still store this session (its folder may have been deleted)?
   * When that process cannot be asked, the registry's word is taken: true.
   */
  async storedAt(address: string, code: string): Promise<boolean> {
    if (!(await this.processLive(address))) return true;
    try {
      return (await requestFromIPC(this.presence, storeChannel(address), "exists", [code], FETCH_TIMEOUT_MS)) === true;
    } catch {
      return true;
    }
  }

  /** A session stored by another process (meta and log, no snapshot); null if it has none. */
  async fetch(address: string, code: string): Promise<LoadedSession | null> {
    if (!(await this.processLive(address))) throw new ClusterError(`the server process at ${address} is not running`);
    try {
      return (await requestFromIPC(this.presence, storeChannel(address), "load", [code], FETCH_TIMEOUT_MS)) as LoadedSession | null;
    } catch (e) {
      throw new ClusterError(`the server process at ${address} did not answer: ${(e as Error).message}`);
    }
  }
}
