/**
 * The whole server in one function, so tests and `npm start` run the same thing:
 * Express for HTTP (health, sessions API, exports, the built client) and Colyseus on the same port.
 * With a shared presence and driver (RedisPresence + RedisDriver, see server/cluster.ts) several
 * processes share matchmaking and session codes; each session lives in the process that opened it.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import express, { type Request, type Response } from "express";
import { LocalPresence, matchMaker, Server, type Presence } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { Encoder } from "@colyseus/schema";
import type { WebSocketServer } from "ws";
import { type BackpressureGuard, DEFAULT_BACKPRESSURE, guardBackpressure } from "./backpressure.js";
import { DEFAULT_FLOOD, type FloodGuard, guardFloods } from "./floodGuard.js";
import { CLOSE_CODES, resolveConfig, SessionOptionsSchema } from "../shared/index.js";
import { Cluster, ClusterError } from "./cluster.js";
import { context, DEFAULTS, setContext, type ServerContext } from "./context.js";
import { exportCsv, exportJson } from "./export.js";
import { log } from "./log.js";
import { ArenaRoom } from "./arenaRoom.js";
import { FileStore, type LoadedSession, type SessionMeta, type SessionStore } from "./store.js";
import { hashToken, newSeed, newToken, normaliseCode, tokenMatches } from "./tokens.js";

export interface ArenaOptions extends Partial<Omit<ServerContext, "store" | "cluster">> {
  dataDir?: string;
  store?: SessionStore;
  /** Directory of the built client (served at /). */
  clientDir?: string;
  /** WebSocket frame cap, bytes (the transport's default is 4 KB). */
  maxPayload?: number;
  /** Bytes queued for one connection (beyond the kernel's buffers) past which it is dropped (server/backpressure.ts); 0: no limit. */
  maxBufferedBytes?: number;
  /** Messages a second one connection may send before it is terminated (server/floodGuard.ts); 0: no limit. */
  maxMessagesPerSecond?: number;
  /** Shared presence (RedisPresence) for several processes; an in-memory one by default. */
  presence?: Presence;
  /** Shared matchmaking driver (RedisDriver) for several processes; an in-memory one by default. */
  driver?: ConstructorParameters<typeof Server>[0] extends infer O ? O extends { driver?: infer D } ? D : never : never;
  /** Where clients reach this process's WebSocket (`host:port` or `host/path`); also its name among processes. */
  publicAddress?: string;
}

export interface Arena {
  http: HttpServer;
  gameServer: Server;
  listen(port: number, host?: string): Promise<void>;
  /** Save every session and stop (what SIGTERM does). */
  shutdown(): Promise<void>;
  /** Connections dropped for not reading their socket. */
  backpressure: BackpressureGuard;
  /** Connections dropped for flooding their socket. */
  floods: FloodGuard;
}

// A full state (join) or a round's patch can exceed the schema encoder's 8 KB default buffer; a
// larger buffer avoids encoding those twice and the warning each time.
Encoder.BUFFER_SIZE = 64 * 1024;

/** Default WebSocket frame cap: intents are small; 16 KB leaves room for a full weights vector. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export function createArena(options: ArenaOptions = {}): Arena {
  const store = options.store ?? new FileStore(options.dataDir ?? resolve("data"));
  const presence = options.presence ?? new LocalPresence();
  const cluster = new Cluster(presence, options.publicAddress ?? "local", store);
  setContext({
    store,
    reconnectSeconds: options.reconnectSeconds ?? DEFAULTS.reconnectSeconds,
    resolveSeconds: options.resolveSeconds ?? DEFAULTS.resolveSeconds,
    restoreGraceSeconds: options.restoreGraceSeconds ?? DEFAULTS.restoreGraceSeconds,
    rateLimit: options.rateLimit ?? DEFAULTS.rateLimit,
    botDelayMs: options.botDelayMs ?? DEFAULTS.botDelayMs,
    quickPlay: options.quickPlay ?? DEFAULTS.quickPlay,
    publicUrl: options.publicUrl ?? "",
    authorisedCodes: new Set(),
    openSession: (code) => openSession(code),
    cluster,
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));
  const http = createServer(app);
  const transport = new WebSocketTransport({ server: http, maxPayload: options.maxPayload ?? MAX_PAYLOAD_BYTES });
  const wss = (transport as unknown as { wss: WebSocketServer }).wss;
  const backpressure = guardBackpressure(wss, {
    ...DEFAULT_BACKPRESSURE, ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
  });
  const floods = guardFloods(wss, { maxMessagesPerSecond: options.maxMessagesPerSecond ?? DEFAULT_FLOOD.maxMessagesPerSecond });
  const gameServer = new Server({
    transport,
    gracefullyShutdown: false,
    presence,
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.publicAddress ? { publicAddress: options.publicAddress } : {}),
  });
  gameServer.define("market", ArenaRoom);

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, uptimeSeconds: Math.round(process.uptime()) });
  });

  app.post("/api/sessions", async (req: Request, res: Response) => {
    const parsed = SessionOptionsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const o = parsed.data;
    const config = resolveConfig({
      ...(o.scenario ? { scenario: o.scenario } : {}), ...(o.ruleset ? { ruleset: o.ruleset } : {}),
      ...(o.rounds ? { rounds: o.rounds } : {}), ...(o.maxPlayers ? { maxPlayers: o.maxPlayers } : {}),
    });
    if (!config.ok) {
      res.status(400).json({ error: config.error.message });
      return;
    }
    let code: string;
    try {
      code = await cluster.allocate();
    } catch (e) {
      if (e instanceof ClusterError) { res.status(503).json({ error: e.message }); return; }
      throw e;
    }
    const hostToken = newToken();
    const meta: SessionMeta = {
      code, createdAt: Date.now(), hostTokenHash: hashToken(hostToken), config: config.value, seed: newSeed(), quickPlay: false,
      roundSeconds: o.roundSeconds ?? 90, resolveSeconds: context().resolveSeconds, maxSpectators: 10,
    };
    let opened = false;
    try {
      store.create(meta);
      await openSession(code);
      opened = true;
      if (o.bots) await matchMaker.remoteRoomCall(code, "addBotsFromApi", [o.bots]);
    } catch (e) {
      log.error({ err: (e as Error).message }, "session creation failed");
      // A room that opened keeps its code until it is disposed.
      if (!opened) await cluster.release(code).catch(() => undefined);
      res.status(500).json({ error: "could not create the session" });
      return;
    }
    const base = context().publicUrl || `${req.protocol}://${req.get("host")}`;
    log.info({ code }, "session created");
    res.status(201).json({ code, hostToken, joinUrl: `${base}/join/${code}` });
  });

  // Any process answers for any session: liveness comes from the shared driver, and a session
  // stored by another process is found through the cluster registry.
  app.get("/api/sessions/:code", async (req, res) => {
    const code = normaliseCode(String(req.params.code));
    const where = /^[A-Z0-9]{4,12}$/.test(code) ? await cluster.locate(code) : null;
    const live = where !== null && (await isLiveRoom(code));
    if (where === null || (!live && where !== "here" && !(await cluster.storedAt(where.address, code)))) {
      res.status(404).json({ error: "no session with that code" });
      return;
    }
    res.json({ code, live });
  });

  const exportRoute = (kind: "json" | "csv") => async (req: Request, res: Response) => {
    const code = normaliseCode(String(req.params.code));
    const where = /^[A-Z0-9]{4,12}$/.test(code) ? await cluster.locate(code) : null;
    let loaded: LoadedSession | null = null;
    if (where === "here") loaded = store.load(code);
    else if (where) {
      // Stored by another process: it sends the meta and the log over presence, and this one renders the export.
      try {
        loaded = await cluster.fetch(where.address, code);
      } catch (e) {
        log.warn({ code, home: where.address, err: (e as Error).message }, "could not fetch a session stored by another process");
        res.status(503).json({ error: "the server process that stores this session is not reachable; try again shortly" });
        return;
      }
    }
    if (!loaded) { res.status(404).json({ error: "no session with that code" }); return; }
    const header = req.get("authorization");
    const token = header?.startsWith("Bearer ") ? header.slice(7) : req.query.hostToken;
    if (!tokenMatches(token, loaded.meta.hostTokenHash)) { res.status(403).json({ error: "the host token is required" }); return; }
    if (kind === "json") {
      res.setHeader("content-disposition", `attachment; filename="dtao-arena-${code}.json"`);
      res.json(exportJson(loaded));
    } else {
      res.setHeader("content-type", "text/csv; charset=utf-8");
      res.setHeader("content-disposition", `attachment; filename="dtao-arena-${code}.csv"`);
      res.send(exportCsv(loaded));
    }
  };
  app.get("/api/sessions/:code/export.json", exportRoute("json"));
  app.get("/api/sessions/:code/export.csv", exportRoute("csv"));

  const clientDir = options.clientDir ?? resolve("client/dist");
  if (existsSync(clientDir)) {
    app.use(express.static(clientDir, { index: "index.html", maxAge: "1h" }));
    app.get(/^\/(join\/[A-Za-z0-9]+)?$/, (_req, res) => res.sendFile(join(clientDir, "index.html")));
  }

  /**
   * Open a stored session as a room in *this* process (its DATA_DIR has the session), never on
   * another one: `matchMaker.createRoom` may pick any process, so the room is created here directly.
   */
  async function openSession(code: string): Promise<void> {
    context().authorisedCodes.add(code);
    try {
      await matchMaker.handleCreateRoom("market", { code });
    } finally {
      context().authorisedCodes.delete(code);
    }
  }

  /** Is a room with this code open in any process (the driver lists every process's rooms)? */
  async function isLiveRoom(code: string): Promise<boolean> {
    return (await matchMaker.getRoomById(code)) !== undefined;
  }

  /**
   * Bring back every session that had not ended (after a restart or a crash). A session that is
   * open anywhere already, or that a live process at another address stores, is left alone.
   */
  async function restoreSessions(): Promise<void> {
    for (const code of store.list()) {
      try {
        if (!(await cluster.adopt(code))) {
          log.warn({ code, home: await cluster.home(code) }, "not restoring a session that another live process stores");
          continue;
        }
        if (await isLiveRoom(code)) continue;
        const loaded = store.load(code);
        const lastTimer = [...loaded.entries].reverse().find((e) => e.kind === "timer");
        if (lastTimer && lastTimer.kind === "timer" && lastTimer.phase === "ended") continue;
        if (Date.now() - loaded.meta.createdAt > 7 * 24 * 3600_000) continue;
        if (!(await cluster.claimForRestore(code, () => isLiveRoom(code)))) {
          log.warn({ code }, "not restoring a session whose code another process holds");
          continue;
        }
        try {
          await openSession(code);
        } catch (e) {
          await cluster.release(code).catch(() => undefined);
          throw e;
        }
      } catch (e) {
        log.error({ code, err: (e as Error).message }, "could not restore a session");
      }
    }
  }

  return {
    http,
    gameServer,
    backpressure,
    floods,
    async listen(port: number, host?: string) {
      await cluster.start();
      await gameServer.listen(port, host);
      await restoreSessions();
      log.info({ port }, "listening");
    },
    async shutdown() {
      backpressure.stop();
      // Close every session first, telling its clients to come back (4503), and wait for each
      // room's onDispose (snapshot, log closed, code given back): Colyseus's own shutdown stops
      // waiting once disposal has started and then leaves Redis, so a code given back later fails.
      await Promise.all(store.list().map(async (code) => {
        try { await matchMaker.getLocalRoomById(code)?.disconnect(CLOSE_CODES.restarting); } catch { /* opening or already closing */ }
      }));
      await gameServer.gracefullyShutdown(false);
      await store.closeAll();
      log.info("stopped; every session saved");
    },
  };
}
