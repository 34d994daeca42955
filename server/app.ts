/**
 * The whole server in one function, so tests and `npm start` run the same thing:
 * Express for HTTP (health, sessions API, exports, the built client) and Colyseus on the same port.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import express, { type Request, type Response } from "express";
import { matchMaker, Server, type Presence } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { resolveConfig, SessionOptionsSchema } from "../shared/index.js";
import { context, DEFAULTS, setContext, type ServerContext } from "./context.js";
import { exportCsv, exportJson } from "./export.js";
import { log } from "./log.js";
import { MarketRoom } from "./room/MarketRoom.js";
import { FileStore, type SessionMeta, type SessionStore } from "./store.js";
import { hashToken, newCode, newSeed, newToken, normaliseCode, tokenMatches } from "./tokens.js";

export interface ArenaOptions extends Partial<Omit<ServerContext, "store">> {
  dataDir?: string;
  store?: SessionStore;
  /** Directory of the built client (served at /). */
  clientDir?: string;
  /** WebSocket frame cap, bytes (the transport's default is 4 KB). */
  maxPayload?: number;
  presence?: Presence;
  driver?: ConstructorParameters<typeof Server>[0] extends infer O ? O extends { driver?: infer D } ? D : never : never;
  publicAddress?: string;
}

export interface Arena {
  http: HttpServer;
  gameServer: Server;
  listen(port: number, host?: string): Promise<void>;
  /** Save every session and stop (what SIGTERM does). */
  shutdown(): Promise<void>;
}

/** Default WebSocket frame cap: intents are small; 16 KB leaves room for a full weights vector. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export function createArena(options: ArenaOptions = {}): Arena {
  const store = options.store ?? new FileStore(options.dataDir ?? resolve("data"));
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
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));
  const http = createServer(app);
  const gameServer = new Server({
    transport: new WebSocketTransport({ server: http, maxPayload: options.maxPayload ?? MAX_PAYLOAD_BYTES }),
    gracefullyShutdown: false,
    ...(options.presence ? { presence: options.presence } : {}),
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.publicAddress ? { publicAddress: options.publicAddress } : {}),
  });
  gameServer.define("market", MarketRoom);

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
    let code = newCode();
    for (let i = 0; store.exists(code) || (await isLiveRoom(code)); i++) {
      if (i > 50) { res.status(503).json({ error: "could not find a free code" }); return; }
      code = newCode();
    }
    const hostToken = newToken();
    const meta: SessionMeta = {
      code, createdAt: Date.now(), hostTokenHash: hashToken(hostToken), config: config.value, seed: newSeed(), quickPlay: false,
      roundSeconds: o.roundSeconds ?? 90, resolveSeconds: context().resolveSeconds, maxSpectators: 10,
    };
    try {
      store.create(meta);
      await openSession(code);
      if (o.bots) await matchMaker.remoteRoomCall(code, "addBotsFromApi", [o.bots]);
    } catch (e) {
      log.error({ err: (e as Error).message }, "session creation failed");
      res.status(500).json({ error: "could not create the session" });
      return;
    }
    const base = context().publicUrl || `${req.protocol}://${req.get("host")}`;
    log.info({ code }, "session created");
    res.status(201).json({ code, hostToken, joinUrl: `${base}/join/${code}` });
  });

  app.get("/api/sessions/:code", async (req, res) => {
    const code = normaliseCode(String(req.params.code));
    if (!/^[A-Z0-9]{4,12}$/.test(code) || !store.exists(code)) { res.status(404).json({ error: "no session with that code" }); return; }
    const live = await isLiveRoom(code);
    res.json({ code, live });
  });

  const exportRoute = (kind: "json" | "csv") => (req: Request, res: Response) => {
    const code = normaliseCode(String(req.params.code));
    if (!/^[A-Z0-9]{4,12}$/.test(code) || !store.exists(code)) { res.status(404).json({ error: "no session with that code" }); return; }
    const loaded = store.load(code);
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

  async function openSession(code: string): Promise<void> {
    context().authorisedCodes.add(code);
    try {
      await matchMaker.createRoom("market", { code });
    } finally {
      context().authorisedCodes.delete(code);
    }
  }

  async function isLiveRoom(code: string): Promise<boolean> {
    return (await matchMaker.query({ roomId: code })).length > 0;
  }

  /** Bring back every session that had not ended (after a restart or a crash). */
  async function restoreSessions(): Promise<void> {
    for (const code of store.list()) {
      try {
        if (await isLiveRoom(code)) continue;
        const loaded = store.load(code);
        const lastTimer = [...loaded.entries].reverse().find((e) => e.kind === "timer");
        if (lastTimer && lastTimer.kind === "timer" && lastTimer.phase === "ended") continue;
        if (Date.now() - loaded.meta.createdAt > 7 * 24 * 3600_000) continue;
        await openSession(code);
      } catch (e) {
        log.error({ code, err: (e as Error).message }, "could not restore a session");
      }
    }
  }

  return {
    http,
    gameServer,
    async listen(port: number, host?: string) {
      await gameServer.listen(port, host);
      await restoreSessions();
      log.info({ port }, "listening");
    },
    async shutdown() {
      await gameServer.gracefullyShutdown(false);
      store.closeAll();
      log.info("stopped; every session saved");
    },
  };
}
