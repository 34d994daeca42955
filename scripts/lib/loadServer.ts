/**
 * The arena server a load test runs against: the real createArena on loopback with a throwaway
 * data folder, plus what only the server process can measure (its CPU, peak memory, event-loop
 * use, and how long each round's resolution took inside the room), and sessions with any number
 * of subnets created straight through the store (the sessions API has no such option).
 *
 * With `redisUrl` it runs as one of several processes sharing matchmaking through Redis, as
 * server/main.ts wires production (RedisPresence + RedisDriver + publicAddress): its sessions live
 * here, and their WebSockets come here wherever a client asked for the seat.
 *
 * Server modules are imported lazily, so a caller can set LOG_LEVEL before pino reads it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Presence } from "@colyseus/core";
import type { RedisDriver } from "@colyseus/redis-driver";

/** server/cluster.ts's registry of which process stores each session. */
const HOMES = "arena:homes";

export interface LoadServerOptions {
  port: number;
  host?: string;
  /** Seconds between a round's resolution and the next acting phase. */
  resolveSeconds: number;
  /** Folder to make the throwaway data folder in (default: the OS temp folder). */
  dataParent?: string;
  /** Share matchmaking and session codes with other processes through this Redis. */
  redisUrl?: string;
  /** Where clients reach this process's WebSocket, `host:port` (required with redisUrl). */
  publicAddress?: string;
}

export interface StoredSessionOptions {
  /** Subnets at the start (and the subnet limit). */
  subnets: number;
  rounds: number;
  roundSeconds: number;
  maxPlayers: number;
}

export interface ServerStats {
  /** process.cpuUsage() of the server process, µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** process.memoryUsage().rss now and the highest seen (sampled every 250 ms), bytes. */
  rss: number;
  peakRss: number;
  heapUsed: number;
  /** performance.eventLoopUtilization() since the server started (idle and active ms). */
  eluIdleMs: number;
  eluActiveMs: number;
  /** Event-loop delay since the last stats() call, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Time inside the room's resolveNow (engine resolution, log fsync, snapshot, report broadcast) for rounds since the last stats() call, ms. */
  resolveMs: number[];
  /**
   * The main thread's time on a CPU and waiting in the run queue for one, ns (Linux /proc/self/schedstat;
   * null elsewhere). On a shared machine a busy event loop can be runnable yet not running.
   */
  schedRunNs: number | null;
  schedWaitNs: number | null;
  /** Whether these figures are the server's alone (false: the server shares its process with the bots). */
  isolated: boolean;
  /** Rooms open in this process and clients connected to them now (Colyseus's local stats). */
  rooms: number;
  clients: number;
  pid: number;
  /** This process's public address among processes sharing Redis; null when it runs alone. */
  publicAddress: string | null;
}

/** The calling process's main thread: [ns on a CPU, ns runnable but waiting for a CPU], or null off Linux. */
export function schedstat(): [number, number] | null {
  try {
    if (!existsSync("/proc/self/schedstat")) return null;
    const [run, wait] = readFileSync("/proc/self/schedstat", "utf8").trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? [run, wait] : null;
  } catch {
    return null;
  }
}

export interface LoadServer {
  port: number;
  url: string;
  http: string;
  createStoredSession(o: StoredSessionOptions): Promise<{ code: string; hostToken: string }>;
  stats(): ServerStats;
  close(): Promise<void>;
}

export async function startLoadServer(o: LoadServerOptions, isolated: boolean): Promise<LoadServer> {
  const [{ createArena }, { context }, { FileStore }, { MarketRoom }, tokens, shared, { matchMaker }] = await Promise.all([
    import("../../server/app.js"), import("../../server/context.js"), import("../../server/store.js"),
    import("../../server/room/MarketRoom.js"), import("../../server/tokens.js"), import("../../shared/index.js"),
    import("@colyseus/core"),
  ]);
  const host = o.host ?? "127.0.0.1";
  if (o.redisUrl && !o.publicAddress) throw new Error("a server sharing Redis needs its public address");
  // As server/main.ts: a shared presence and driver, and the address clients reach this process at.
  let redis: { presence: Presence; driver: RedisDriver } | null = null;
  if (o.redisUrl) {
    const [{ RedisPresence }, { RedisDriver }] = await Promise.all([import("@colyseus/redis-presence"), import("@colyseus/redis-driver")]);
    redis = { presence: new RedisPresence(o.redisUrl), driver: new RedisDriver(o.redisUrl) };
  }
  const dataDir = mkdtempSync(join(o.dataParent ?? tmpdir(), "arena-load-"));
  const store = new FileStore(dataDir);
  const arena = createArena({
    store, resolveSeconds: o.resolveSeconds, clientDir: "/nonexistent",
    ...(redis && o.publicAddress ? { presence: redis.presence, driver: redis.driver, publicAddress: o.publicAddress } : {}),
  });

  // Time each resolution inside the room: wrap the (private) resolveNow on the prototype, here only.
  const resolveMs: number[] = [];
  const proto = MarketRoom.prototype as unknown as { resolveNow: (...a: unknown[]) => Promise<boolean>; __loadTimed?: boolean };
  if (!proto.__loadTimed) {
    const original = proto.resolveNow;
    proto.resolveNow = async function (this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const resolved = await original.apply(this, args);
      if (resolved) resolveMs.push(performance.now() - t0);
      return resolved;
    };
    proto.__loadTimed = true;
  }

  try {
    await arena.listen(o.port, host);
  } catch (e) {
    // Not listening (port taken, address in use by a live process): let go of Redis and the folder.
    await arena.shutdown().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const port = (arena.http.address() as { port: number }).port;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 250);
  sampler.unref();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();

  return {
    port,
    url: `ws://${host}:${port}`,
    http: `http://${host}:${port}`,
    async createStoredSession(s) {
      const config = shared.resolveConfig({
        initialSubnets: s.subnets, subnetLimit: Math.max(s.subnets, 1), rounds: s.rounds, maxPlayers: s.maxPlayers,
      });
      if (!config.ok) throw new Error(config.error.message);
      // As the sessions API does: a code claimed across processes and registered as stored here,
      // so the room opens in this process and any process finds it.
      const { cluster } = context();
      const code = await cluster.allocate();
      const hostToken = tokens.newToken();
      try {
        store.create({
          code, createdAt: Date.now(), hostTokenHash: tokens.hashToken(hostToken), config: config.value, seed: tokens.newSeed(),
          quickPlay: false, roundSeconds: s.roundSeconds, resolveSeconds: o.resolveSeconds, maxSpectators: 10,
        });
        await context().openSession(code);
      } catch (e) {
        await cluster.release(code).catch(() => undefined);
        throw e;
      }
      return { code, hostToken };
    },
    stats() {
      const mem = process.memoryUsage();
      peakRss = Math.max(peakRss, mem.rss);
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(elu0);
      const sched = schedstat();
      const out: ServerStats = {
        cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, peakRss, heapUsed: mem.heapUsed,
        eluIdleMs: elu.idle, eluActiveMs: elu.active,
        loopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : 0, loopDelayMaxMs: delay.count > 0 ? delay.max / 1e6 : 0,
        resolveMs: resolveMs.splice(0), schedRunNs: sched?.[0] ?? null, schedWaitNs: sched?.[1] ?? null, isolated,
        rooms: matchMaker.stats.local.roomCount, clients: matchMaker.stats.local.ccu, pid: process.pid,
        publicAddress: o.redisUrl ? o.publicAddress ?? null : null,
      };
      delay.reset();
      return out;
    },
    async close() {
      clearInterval(sampler);
      delay.disable();
      // Close the rooms first and wait for each one's onDispose (snapshot, giving its code back in
      // presence): Colyseus's shutdown stops waiting once disposal has started and then quits Redis,
      // so a code given back after that fails ("write EPIPE") and stays claimed.
      await Promise.all(store.list().map((code) => matchMaker.getLocalRoomById(code)?.disconnect().catch(() => undefined)));
      // A Redis given with --redis outlives the run: forget where this throwaway folder's sessions
      // were stored.
      if (redis) {
        for (const code of store.list()) {
          if ((await redis.presence.hget(HOMES, code)) === o.publicAddress) await redis.presence.hdel(HOMES, code).catch(() => undefined);
        }
      }
      await arena.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
