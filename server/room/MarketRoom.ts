/**
 * The market room: one session. Thin by design: it turns messages into engine actions, logs each
 * accepted one durably before answering, runs the round clock, and projects engine state into the
 * schema. Every rule lives in shared/.
 */
import { type Client, Room, ServerError } from "@colyseus/core";
import { StateView } from "@colyseus/schema";
import {
  applyAction, awards, BOT_STRATEGIES, botActions, botRole, type BotStrategy, CLOSE_CODES, type EcosystemMetrics,
  type GameState, type HistoryMessage, HOST_ID, HOST_MESSAGES, HostPayloads, INTENT_TYPES, JoinOptionsSchema, type JoinRole, leaderboard,
  playerView, type ResultMessage, signalsFor, type RulesetName, resolveRound, resolveConfig, Rng, type RoundReport, SERVER_MESSAGES, type SeatMessage,
} from "../../shared/index.js";
import { context } from "../context.js";
import { log } from "../log.js";
import type { SessionMeta, StoredEntry } from "../store.js";
import { hashToken, newPlayerId, newSeed, newToken, tokenMatches } from "../tokens.js";
import { sendCompact } from "./compactSend.js";
import { project, type RoomFacts } from "./project.js";
import { newBucket, take, type Bucket } from "./rateLimit.js";
import { restoreSession } from "./restore.js";
import { ArenaState, type PlayerState } from "./schema.js";

type RoomPhase = RoomFacts["phase"];

interface Seat {
  kind: "player" | "host" | "spectator";
  playerId: string;
  bucket: Bucket;
  /** Disconnected for flooding: no Colyseus reconnection (the seat token still works later). */
  abusive?: boolean;
}

export interface CreateOptions {
  /** Private session created through the HTTP API (meta already stored), or one restored after a restart. */
  code?: string;
}

/** Public part of a round report: true quality stays hidden until the game ends. */
export function publicReport(r: RoundReport, reveal: boolean): unknown {
  return {
    ...r,
    income: undefined,
    subnets: r.subnets.map((s) => (reveal ? s : { ...s, trueQuality: undefined })),
  };
}

/**
 * A player's copy of a round report: the round's totals and metrics, full rows only for the subnets
 * the player owns, and the closing price of each subnet it earned in (what its portfolio values that
 * income at). The per-subnet values a market view needs are in the synced state already, and the full
 * report (every subnet, every split) goes to the host, the projector and, at the end, the debrief:
 * sending it to all 40 players of a class each round was most of their traffic.
 */
export function playerReport(r: RoundReport, state: GameState, playerId: string): unknown {
  const prices: Record<string, string> = {};
  const income = r.income[playerId];
  if (income) for (const s of r.subnets) if (s.netuid in income.alpha) prices[s.netuid] = s.price;
  return {
    round: r.round, ruleset: r.ruleset, switches: r.switches, block: r.block, blockEmission: r.blockEmission,
    emitted: r.emitted, issuance: r.issuance, metrics: r.metrics, events: [],
    subnets: r.subnets.filter((s) => state.subnets[s.netuid]?.owner === playerId).map((s) => ({ ...s, trueQuality: undefined })),
    prices,
  };
}

export class MarketRoom extends Room<ArenaState> {
  override maxClients = 600;
  override autoDispose = false;

  private meta!: SessionMeta;
  private engine!: GameState;
  private seq = 0;
  private phase: RoomPhase = "lobby";
  private deadline = 0;
  private paused = false;
  private pausedRemainingMs = 0;
  private timer: { clear(): void } | null = null;
  private seats = new Map<string, string>();
  private bots = new Map<string, { strategy: BotStrategy; rng: Rng }>();
  private kicked = new Set<string>();
  private clientsByPlayer = new Map<string, Client>();
  private acted = new Set<string>();
  private reports: RoundReport[] = [];
  private metrics: EcosystemMetrics | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idleSince = Date.now();

  // ---------------------------------------------------------------- lifecycle

  override async onCreate(options: CreateOptions) {
    const ctx = context();
    this.setState(new ArenaState());
    // Only the server opens a stored session (sessions API or restore); a code sent by a client is ignored.
    if (options.code && ctx.authorisedCodes.delete(options.code)) {
      const loaded = ctx.store.load(options.code);
      this.meta = loaded.meta;
      const restored = restoreSession(loaded);
      this.engine = restored.state;
      this.seq = restored.book.seq;
      this.seats = restored.book.seats;
      this.kicked = restored.book.kicked;
      this.reports = restored.reports;
      for (const [id, strategy] of restored.book.bots) this.bots.set(id, { strategy: strategy as BotStrategy, rng: this.botRng(id) });
      await this.setPrivate(!this.meta.quickPlay);
      this.roomId = this.meta.code;
      this.restoreTimer(restored.book.timer);
    } else {
      // Quick play: a public room that bots keep lively and that starts when the first person joins.
      // Its code is claimed across every server process (the matchmaker may create it in any of them).
      const code = await ctx.cluster.allocate();
      const config = resolveConfig({ scenario: "dtao-launch", rounds: ctx.quickPlay.rounds });
      try {
        if (!config.ok) throw new Error(config.error.message);
        this.meta = {
          code, createdAt: Date.now(), hostTokenHash: null, config: config.value, seed: newSeed(), quickPlay: true,
          roundSeconds: ctx.quickPlay.roundSeconds, resolveSeconds: ctx.resolveSeconds, maxSpectators: 20,
        };
        ctx.store.create(this.meta);
      } catch (e) {
        await ctx.cluster.release(code).catch(() => undefined);
        throw e;
      }
      this.engine = restoreSession({ meta: this.meta, snapshot: null, entries: [] }).state;
      this.roomId = code;
    }
    // Quick play fills a room up to its player cap, then joinOrCreate opens a fresh one.
    this.maxClients = this.meta.quickPlay ? this.engine.config.maxPlayers : this.engine.config.maxPlayers + this.meta.maxSpectators + 5;
    // A message typed "*" reaches this handler as (client, payload): String(payload) would throw on an
    // object like { toString: 1 } (an uncaught exception in the ws listener), so only strings and numbers are types.
    this.onMessage("*", (client, type, message) => {
      const t = typeof type === "string" || typeof type === "number" ? String(type) : "*";
      this.onAnyMessage(client, t, message).catch((e: Error) => {
        // A bug, not bad input: log it and still answer, so the client is never left waiting.
        log.error({ code: this.roomId, type: t.slice(0, 40), err: e.message }, "message handler failed");
        client.send(SERVER_MESSAGES.result, { ref: refOf(message), type: t.slice(0, 64), ok: false, code: "server/error", message: "the server hit an error handling that message; check your balance before retrying" });
      });
    });
    this.clock.setInterval(() => this.housekeeping(), 30_000);
    this.projectNow();
    log.info({ code: this.roomId, quickPlay: this.meta.quickPlay, restored: this.seq > 0, round: this.engine.round }, "session open");
  }

  override onAuth(_client: Client, rawOptions: unknown) {
    const parsed = JoinOptionsSchema.safeParse(rawOptions ?? {});
    if (!parsed.success) throw new ServerError(400, "join options are malformed");
    const o = parsed.data;
    if (o.role === "host") {
      if (!tokenMatches(o.hostToken, this.meta.hostTokenHash)) throw new ServerError(403, "that host token does not open this session");
      return { kind: "host" as const };
    }
    if (o.seatToken) {
      const playerId = this.seats.get(hashToken(o.seatToken));
      if (!playerId) throw new ServerError(404, "that seat is not in this session");
      if (this.kicked.has(playerId)) throw new ServerError(403, "the host removed this seat");
      return { kind: "seat" as const, playerId };
    }
    if (o.role === "spectator") {
      const watching = this.clients.filter((c) => (c.userData as Seat | undefined)?.kind === "spectator").length;
      if (watching >= this.meta.maxSpectators) throw new ServerError(409, "the projector seats are full");
      return { kind: "spectator" as const };
    }
    const role = o.role ?? "staker";
    const probe = applyAction(this.engine, "p_probe", { type: "join", name: o.name ?? "", role });
    if (!probe.ok) throw new ServerError(probe.error.code === "player/full" ? 409 : 400, probe.error.message);
    return { kind: "new" as const, name: o.name ?? "", role };
  }

  override async onJoin(client: Client, _options: unknown, auth: { kind: string; playerId?: string; name?: string; role?: JoinRole }) {
    const now = Date.now();
    const bucket = newBucket(context().rateLimit, now);
    if (auth.kind === "host") {
      client.userData = { kind: "host", playerId: HOST_ID, bucket } satisfies Seat;
      client.send(SERVER_MESSAGES.seat, { playerId: HOST_ID, seatToken: "", role: "host", code: this.roomId, name: "Host" } satisfies SeatMessage);
    } else if (auth.kind === "spectator") {
      client.userData = { kind: "spectator", playerId: `spec:${client.sessionId}`, bucket } satisfies Seat;
      client.send(SERVER_MESSAGES.seat, { playerId: "", seatToken: "", role: "spectator", code: this.roomId, name: "Projector" } satisfies SeatMessage);
    } else if (auth.kind === "seat" && auth.playerId) {
      this.bind(client, auth.playerId, bucket);
      const p = this.engine.players[auth.playerId];
      client.send(SERVER_MESSAGES.seat, { playerId: auth.playerId, seatToken: "", role: p.role, code: this.roomId, name: p.name } satisfies SeatMessage);
    } else {
      const playerId = newPlayerId();
      const token = newToken();
      await this.serial(async () => {
        const r = applyAction(this.engine, playerId, { type: "join", name: auth.name ?? "", role: auth.role ?? "staker" });
        if (!r.ok) throw new ServerError(400, r.error.message);
        try {
          await this.persist([
            { kind: "action", playerId, action: { type: "join", name: auth.name ?? "", role: auth.role ?? "staker" } },
            { kind: "seat", playerId, tokenHash: hashToken(token) },
          ]);
        } catch (e) {
          log.error({ code: this.roomId, err: (e as Error).message }, "could not save a new seat");
          throw new ServerError(503, "the server could not save your seat just now; try again in a moment");
        }
        this.engine = r.state;
        this.seats.set(hashToken(token), playerId);
      });
      this.bind(client, playerId, bucket);
      const p = this.engine.players[playerId];
      client.send(SERVER_MESSAGES.seat, { playerId, seatToken: token, role: p.role, code: this.roomId, name: p.name } satisfies SeatMessage);
      if (this.meta.quickPlay) await this.quickPlayKickoff();
    }
    this.sendPrivate(client);
    client.send(SERVER_MESSAGES.history, {
      block: this.engine.block,
      subnets: Object.values(this.engine.subnets).map((s) => ({ netuid: s.netuid, registeredRound: s.registeredRound, prices: s.priceHistory })),
    } satisfies HistoryMessage);
    const last = this.reports[this.reports.length - 1];
    if (last) this.sendReport(client, last, this.phase === "ended");
    if (this.phase === "ended") client.send(SERVER_MESSAGES.debrief, this.debrief());
    this.sendRematch(client);
    this.idleSince = Date.now();
    // The joining client gets the full state right after onJoin: make it current now.
    this.projectNow();
  }

  override async onLeave(client: Client, consented: boolean) {
    const seat = client.userData as Seat | undefined;
    if (!seat) return;
    if (seat.kind === "player" && this.clientsByPlayer.get(seat.playerId) === client) {
      this.clientsByPlayer.delete(seat.playerId);
      this.refresh();
      if (!consented && !seat.abusive) {
        try {
          const back = await this.allowReconnection(client, context().reconnectSeconds);
          // Kicked or taken over (seat token on another tab) while away: this connection no longer holds the seat.
          if (this.kicked.has(seat.playerId) || this.clientsByPlayer.has(seat.playerId)) {
            const kicked = this.kicked.has(seat.playerId);
            if (!kicked) back.send(SERVER_MESSAGES.replaced, { message: "this seat is now open in another tab or device" });
            back.userData = undefined;
            back.leave(kicked ? CLOSE_CODES.kicked : CLOSE_CODES.replaced);
            return;
          }
          this.bind(back, seat.playerId, seat.bucket);
          this.sendPrivate(back);
          this.refresh();
        } catch {
          // The seat stays: the player can come back any time with its seat token.
        }
      }
    }
  }

  /** A server shutting down (an upgrade, a restart): clients are told to come back, not that they left. */
  override onBeforeShutdown() {
    void this.disconnect(CLOSE_CODES.restarting);
  }

  override async onDispose() {
    this.timer?.clear();
    await this.queue.catch(() => undefined);
    const ctx = context();
    try {
      await ctx.store.snapshot(this.roomId, { seq: this.seq, state: this.engine });
      await ctx.store.close(this.roomId);
    } catch (e) {
      log.error({ code: this.roomId, err: (e as Error).message }, "snapshot on dispose failed");
    }
    // The code is free again among live rooms (the session stays stored, and registered, in this process).
    await ctx.cluster.release(this.roomId).catch((e: Error) => log.error({ code: this.roomId, err: e.message }, "could not release the session code"));
    log.info({ code: this.roomId }, "session closed");
  }

  // ---------------------------------------------------------------- messages

  private async onAnyMessage(client: Client, type: string, message: unknown) {
    const seat = client.userData as Seat | undefined;
    if (!seat) return;
    const ref = refOf(message);
    const verdict = take(seat.bucket, context().rateLimit, Date.now());
    if (verdict !== "ok") {
      this.reply(client, { ref, type, ok: false, code: "rate/limited", message: "too many messages: slow down" });
      if (verdict === "abuse") {
        log.warn({ code: this.roomId, player: seat.playerId }, "disconnecting a flooding client");
        seat.abusive = true;
        client.leave(CLOSE_CODES.abuse);
      }
      return;
    }
    if (type.startsWith("host:")) {
      if (seat.kind !== "host") return this.reply(client, { ref, type, ok: false, code: "role/forbidden", message: "only the host can do that" });
      if (!(HOST_MESSAGES as readonly string[]).includes(type)) return this.reply(client, { ref, type, ok: false, code: "action/unknown_type", message: `unknown host message ${type.slice(0, 40)}` });
      return this.reply(client, { ref, type, ...(await this.hostMessage(type, message)) });
    }
    if (!(INTENT_TYPES as readonly string[]).includes(type)) {
      return this.reply(client, { ref, type, ok: false, code: "action/unknown_type", message: `unknown message ${type.slice(0, 40)}` });
    }
    if (seat.kind !== "player") return this.reply(client, { ref, type, ok: false, code: "role/forbidden", message: "join as a player to act" });
    const result = await this.intent(seat.playerId, type, message);
    this.reply(client, { ref, type, ...result });
  }

  private reply(client: Client, r: ResultMessage) {
    client.send(SERVER_MESSAGES.result, r);
  }

  /** A player's intent: engine validation, durable log, then the answer. */
  private intent(playerId: string, type: string, message: unknown): Promise<Omit<ResultMessage, "type" | "ref">> {
    return this.serial(async () => {
      if (this.kicked.has(playerId)) return { ok: false, code: "role/forbidden", message: "the host removed you from this session" };
      if (type !== "setRole" && type !== "registerSubnet" && type !== "setEffort" && type !== "setTake" && type !== "setRootClaim") {
        if (this.paused) return { ok: false, code: "phase/forbidden", message: "the game is paused" };
        if (this.phase === "resolving") return { ok: false, code: "phase/forbidden", message: "the round is resolving; the next one opens in a moment" };
      }
      if (typeof message !== "object" || message === null || Array.isArray(message)) {
        return { ok: false, code: "action/malformed", message: `${type} needs an object payload` };
      }
      const { ref: _ref, ...fields } = message as Record<string, unknown>;
      const action = { ...fields, type };
      const r = applyAction(this.engine, playerId, action);
      if (!r.ok) return { ok: false, code: r.error.code, message: r.error.message };
      const failure = await this.commit(r.state, [{ kind: "action", playerId, action }]);
      if (failure) return failure;
      this.acted.add(playerId);
      this.refresh();
      // A new subnet mid-round: validators' signals now cover it, so send them again.
      if (type === "registerSubnet") for (const c of this.clients) this.sendPrivate(c);
      return { ok: true };
    });
  }

  /** Log entries durably, and only then make the new engine state current. */
  private async commit(next: GameState, entries: NewEntry[]): Promise<Omit<ResultMessage, "type" | "ref"> | null> {
    try {
      await this.persist(entries);
    } catch (e) {
      log.error({ code: this.roomId, err: (e as Error).message }, "store refused an entry");
      return { ok: false, code: "store/unavailable", message: "the server could not save that, so it was not done; try again shortly" };
    }
    this.engine = next;
    return null;
  }

  private async persist(entries: NewEntry[]): Promise<void> {
    const store = context().store;
    const t = Date.now();
    const stamped = entries.map((e) => ({ ...e, seq: ++this.seq, t }) as StoredEntry);
    try {
      await Promise.all(stamped.map((e) => store.append(this.roomId, e)));
    } catch (e) {
      this.seq -= stamped.length;
      throw e;
    }
  }

  /** One change at a time per session, so an await never interleaves two intents. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---------------------------------------------------------------- host

  private async hostMessage(type: string, message: unknown): Promise<Omit<ResultMessage, "type" | "ref">> {
    const schema = (HostPayloads as Record<string, { safeParse(x: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string; path: PropertyKey[] }[] } } }>)[type];
    let payload: Record<string, unknown> = {};
    if (schema) {
      const parsed = schema.safeParse(message ?? {});
      if (!parsed.success) {
        const issue = parsed.error?.issues[0];
        return { ok: false, code: "action/malformed", message: `${type}: ${issue?.path.join(".") || ""} ${issue?.message ?? "invalid"}`.trim() };
      }
      payload = parsed.data as Record<string, unknown>;
    }
    return this.serial(async () => {
      switch (type) {
        case "host:start": {
          if (this.phase !== "lobby") return { ok: false, code: "phase/forbidden", message: "the game has already started" };
          return this.engineHost({ type: "start" }, async () => this.openRound());
        }
        case "host:pause":
          if (this.phase !== "acting" || this.paused) return { ok: false, code: "phase/forbidden", message: "nothing to pause" };
          this.paused = true;
          this.pausedRemainingMs = Math.max(0, this.deadline - Date.now());
          this.deadline = 0;
          this.timer?.clear();
          await this.logTimer();
          this.refresh();
          return { ok: true };
        case "host:resume":
          if (!this.paused) return { ok: false, code: "phase/forbidden", message: "the game is not paused" };
          this.paused = false;
          this.deadline = Date.now() + this.pausedRemainingMs;
          this.pausedRemainingMs = 0;
          this.schedule();
          await this.logTimer();
          this.refresh();
          return { ok: true };
        case "host:extend": {
          if (this.phase !== "acting") return { ok: false, code: "phase/forbidden", message: "only a running round can be extended" };
          const ms = (payload.seconds as number) * 1000;
          if (this.paused) this.pausedRemainingMs += ms;
          else { this.deadline += ms; this.schedule(); }
          await this.logTimer();
          this.refresh();
          return { ok: true };
        }
        case "host:advance": {
          if (this.phase !== "acting") return { ok: false, code: "phase/forbidden", message: "no round is open" };
          this.paused = false;
          this.pausedRemainingMs = 0;
          const resolved = await this.resolveNow();
          return resolved ? { ok: true } : { ok: false, code: "store/unavailable", message: "the round could not be saved, so it stays open; the server retries in a few seconds" };
        }
        case "host:end":
          if (this.phase === "ended") return { ok: false, code: "phase/forbidden", message: "the game has already ended" };
          return this.engineHost({ type: "end" }, async () => this.finish());
        case "host:ruleset":
          return this.engineHost({ type: "setRuleset", ruleset: payload.ruleset });
        case "host:shock":
          return this.engineHost({ type: "shock", kind: payload.kind, ...(payload.subnet !== undefined ? { subnet: payload.subnet } : {}) });
        case "host:config": {
          if (this.phase !== "lobby") return { ok: false, code: "phase/forbidden", message: "settings change in the lobby only" };
          if (payload.scenario !== undefined && payload.scenario !== this.engine.config.scenario) {
            return { ok: false, code: "action/malformed", message: "the scenario is chosen when the session is created" };
          }
          if (payload.rounds !== undefined) {
            const r = await this.engineHost({ type: "configure", rounds: payload.rounds });
            if (!r.ok) return r;
          }
          if (payload.ruleset !== undefined) {
            const r = await this.engineHost({ type: "setRuleset", ruleset: payload.ruleset });
            if (!r.ok) return r;
          }
          if (payload.roundSeconds !== undefined) {
            const meta = { ...this.meta, roundSeconds: payload.roundSeconds as number };
            try {
              context().store.create(meta);
            } catch {
              return { ok: false, code: "store/unavailable", message: "the server could not save that, so it was not done; try again shortly" };
            }
            this.meta = meta;
          }
          return { ok: true };
        }
        case "host:kick": {
          const id = payload.playerId as string;
          const p = this.engine.players[id];
          if (!p || p.npc !== null) return { ok: false, code: "player/unknown", message: "no such player" };
          try {
            await this.persist([{ kind: "kick", playerId: id }]);
          } catch {
            return { ok: false, code: "store/unavailable", message: "the server could not save that, so it was not done; try again shortly" };
          }
          this.kicked.add(id);
          this.bots.delete(id);
          const c = this.clientsByPlayer.get(id);
          this.clientsByPlayer.delete(id);
          c?.leave(CLOSE_CODES.kicked);
          this.refresh();
          return { ok: true };
        }
        case "host:bots": {
          if (this.phase === "ended") return { ok: false, code: "phase/forbidden", message: "the game has ended" };
          const count = payload.count as number;
          const strategy = payload.strategy as BotStrategy | undefined;
          const added = await this.addBots(count, strategy);
          return added === count ? { ok: true } : { ok: false, code: "player/full", message: `added ${added} of ${count} bots: the session is full` };
        }
        case "host:rematch": {
          if (this.phase !== "ended") return { ok: false, code: "phase/forbidden", message: "a rematch starts after the game has ended" };
          const code = await this.rematch(payload.ruleset as RulesetName | undefined);
          return code ? { ok: true, message: code } : { ok: false, code: "store/unavailable", message: "could not create the new game; try again shortly" };
        }
        case "host:assignRole": {
          const r = applyAction(this.engine, payload.playerId as string, { type: "setRole", role: payload.role });
          if (!r.ok) return { ok: false, code: r.error.code, message: r.error.message };
          const failure = await this.commit(r.state, [{ kind: "action", playerId: payload.playerId as string, action: { type: "setRole", role: payload.role } }]);
          if (failure) return failure;
          this.refresh();
          return { ok: true };
        }
        case "host:balanceRoles": {
          if (this.phase !== "lobby") return { ok: false, code: "phase/forbidden", message: "roles change in the lobby only" };
          const people = this.engine.playerOrder.filter((id) => this.engine.players[id].npc === null && this.engine.players[id].role !== "spectator" && !this.bots.has(id));
          const cycle = ["staker", "builder", "staker", "validator", "staker"] as const;
          for (const [i, id] of people.entries()) {
            const role = cycle[i % cycle.length];
            if (this.engine.players[id].role === role) continue;
            const r = applyAction(this.engine, id, { type: "setRole", role });
            if (!r.ok) continue;
            const failure = await this.commit(r.state, [{ kind: "action", playerId: id, action: { type: "setRole", role } }]);
            if (failure) return failure;
          }
          this.refresh();
          return { ok: true };
        }
      }
      return { ok: false, code: "action/unknown_type", message: `unhandled ${type}` };
    });
  }

  /** A host action that the engine logs and replays like any other. */
  private async engineHost(action: Record<string, unknown>, after?: () => Promise<void>): Promise<Omit<ResultMessage, "type" | "ref">> {
    const r = applyAction(this.engine, HOST_ID, action);
    if (!r.ok) return { ok: false, code: r.error.code, message: r.error.message };
    const failure = await this.commit(r.state, [{ kind: "action", playerId: HOST_ID, action }]);
    if (failure) return failure;
    if (after) await after();
    this.refresh();
    return { ok: true };
  }

  // ---------------------------------------------------------------- rounds

  private async openRound() {
    this.phase = "acting";
    this.paused = false;
    this.deadline = Date.now() + this.meta.roundSeconds * 1000;
    this.acted.clear();
    this.schedule();
    await this.logTimer();
    for (const c of this.clients) this.sendPrivate(c);
    this.scheduleBots();
    this.refresh();
  }

  private schedule() {
    this.timer?.clear();
    if (this.paused || this.deadline === 0) return;
    const wait = Math.max(0, this.deadline - Date.now());
    if (this.phase === "acting") this.timer = this.clock.setTimeout(() => void this.serial(async () => { await this.resolveNow(); }), wait);
    else if (this.phase === "resolving") this.timer = this.clock.setTimeout(() => void this.serial(() => this.openRound()), wait);
  }

  /** Close the acting phase and resolve the round (must run inside serial()); false if it could not be saved. */
  private async resolveNow(): Promise<boolean> {
    if (this.phase !== "acting") return false;
    this.timer?.clear();
    const { state, report } = resolveRound(this.engine);
    try {
      await this.persist([{ kind: "resolve" }]);
    } catch (e) {
      // The round cannot be recorded: keep it open and try again shortly rather than lose it.
      log.error({ code: this.roomId, err: (e as Error).message }, "could not log a resolution; retrying in 5 s");
      this.deadline = Date.now() + 5000;
      this.schedule();
      this.refresh();
      return false;
    }
    this.engine = state;
    this.reports.push(report);
    this.metrics = report.metrics;
    // Off the event loop and not awaited: a snapshot only shortens the replay after a restart.
    context().store.snapshot(this.roomId, { seq: this.seq, state: this.engine })
      .catch((e: Error) => log.warn({ code: this.roomId, err: e.message }, "snapshot failed (the log still has everything)"));
    const ended = this.engine.phase === "ended";
    let full: unknown = null;
    for (const c of this.clients) {
      const seat = c.userData as Seat | undefined;
      if (seat?.kind === "player") this.sendReport(c, report, ended);
      else if (seat) c.send(SERVER_MESSAGES.report, full ??= publicReport(report, ended));
      if (seat?.kind === "player" && report.income[seat.playerId]) c.send(SERVER_MESSAGES.income, report.income[seat.playerId]);
    }
    log.info({ code: this.roomId, round: report.round, emitted: report.emitted }, "round resolved");
    if (ended) {
      await this.finish();
      return true;
    }
    this.phase = "resolving";
    this.deadline = Date.now() + this.meta.resolveSeconds * 1000;
    this.schedule();
    await this.logTimer();
    this.refresh();
    return true;
  }

  private async finish() {
    this.phase = "ended";
    // A finished public game stops matching joinOrCreate, so newcomers get a fresh market.
    if (this.meta.quickPlay) await this.lock();
    this.deadline = 0;
    this.paused = false;
    this.timer?.clear();
    await this.logTimer();
    this.broadcast(SERVER_MESSAGES.debrief, this.debrief());
    this.refresh();
  }

  debrief() {
    return {
      leaderboard: leaderboard(this.engine).map((row, i) => ({ ...row, rank: i + 1 })),
      awards: awards(this.engine, this.reports),
      reports: this.reports.map((r) => publicReport(r, true)),
    };
  }

  private async logTimer() {
    await this.persist([{ kind: "timer", phase: this.phase, deadline: this.deadline, paused: this.paused, remainingMs: this.pausedRemainingMs }])
      .catch((e) => log.error({ code: this.roomId, err: (e as Error).message }, "could not log the timer"));
  }

  private restoreTimer(t: Extract<StoredEntry, { kind: "timer" }> | null) {
    if (this.engine.phase === "ended") { this.phase = "ended"; return; }
    if (this.engine.phase === "lobby" || !t) { this.phase = this.engine.phase === "acting" ? "acting" : "lobby"; }
    else this.phase = t.phase === "resolving" ? "resolving" : "acting";
    if (this.phase === "lobby") return;
    const grace = Date.now() + context().restoreGraceSeconds * 1000;
    if (t?.paused) {
      this.paused = true;
      this.pausedRemainingMs = t.remainingMs;
    } else {
      // The same deadline as before the restart; if it passed while the server was down, a short grace.
      this.deadline = Math.max(t?.deadline ?? 0, grace);
      this.schedule();
    }
  }

  // ---------------------------------------------------------------- bots

  private botRng(id: string): Rng {
    let h = this.meta.seed;
    for (const ch of id) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
    return new Rng(Rng.seedState(h));
  }

  private async addBots(count: number, strategy?: BotStrategy): Promise<number> {
    let added = 0;
    for (let i = 0; i < count; i++) {
      const s = strategy ?? BOT_STRATEGIES[(this.bots.size + i) % BOT_STRATEGIES.length];
      const id = newPlayerId();
      const name = `Bot ${s} ${this.bots.size + 1}`;
      const r = applyAction(this.engine, id, { type: "join", name, role: botRole(s) });
      if (!r.ok) break;
      const failure = await this.commit(r.state, [
        { kind: "action", playerId: id, action: { type: "join", name, role: botRole(s) } },
        { kind: "bot", playerId: id, strategy: s },
      ]);
      if (failure) break;
      this.bots.set(id, { strategy: s, rng: this.botRng(id) });
      added++;
    }
    this.refresh();
    return added;
  }

  private scheduleBots() {
    const base = context().botDelayMs;
    for (const [id] of this.bots) {
      const delay = base + ((id.charCodeAt(id.length - 1) * 37) % (base + 1));
      this.clock.setTimeout(() => void this.botTurn(id), delay);
    }
  }

  /** A bot acts through the same path as a person; a bot that errors is removed and logged. */
  private async botTurn(id: string) {
    const bot = this.bots.get(id);
    if (!bot || this.phase !== "acting" || this.paused) return;
    try {
      const actions = botActions(bot.strategy, playerView(this.engine, id), bot.rng);
      for (const a of actions) {
        const { type, ...rest } = a;
        await this.intent(id, type, rest);
      }
    } catch (e) {
      log.error({ code: this.roomId, bot: id, err: (e as Error).message }, "bot failed; removing it");
      this.bots.delete(id);
    }
  }

  private async quickPlayKickoff() {
    await this.serial(async () => {
      if (this.phase !== "lobby") return;
      if (this.bots.size === 0) await this.addBots(context().quickPlay.bots);
      const r = applyAction(this.engine, HOST_ID, { type: "start" });
      if (!r.ok) return;
      const failure = await this.commit(r.state, [{ kind: "action", playerId: HOST_ID, action: { type: "start" } }]);
      if (!failure) await this.openRound();
    });
  }

  // ---------------------------------------------------------------- seats and views

  private bind(client: Client, playerId: string, bucket: Bucket) {
    const previous = this.clientsByPlayer.get(playerId);
    if (previous && previous !== client) {
      // The same person on a new tab or device: the old one is told, then closed.
      previous.send(SERVER_MESSAGES.replaced, { message: "this seat is now open in another tab or device" });
      previous.userData = undefined;
      previous.leave(CLOSE_CODES.replaced);
    }
    client.userData = { kind: "player", playerId, bucket } satisfies Seat;
    this.clientsByPlayer.set(playerId, client);
  }

  /** A round report as this client's seat gets it (see playerReport). */
  private sendReport(client: Client, report: RoundReport, reveal: boolean) {
    const seat = client.userData as Seat | undefined;
    if (!seat) return;
    client.send(SERVER_MESSAGES.report, seat.kind === "player" ? playerReport(report, this.engine, seat.playerId) : publicReport(report, reveal));
  }

  /** Secrets go only to their owner: a validator's signals. */
  private sendPrivate(client: Client) {
    const seat = client.userData as Seat | undefined;
    if (seat?.kind !== "player") return;
    const signals = signalsFor(this.engine, seat.playerId);
    if (!signals || this.engine.players[seat.playerId]?.role !== "validator") return;
    // With them, the consensus each subnet's Yuma revealed last round (per miner uid): what a
    // validator compares its own judgement against; nobody else needs it every round.
    const consensus: Record<string, number[]> = {};
    for (const n in this.engine.subnets) consensus[n] = this.engine.subnets[n].consensus.map((x) => Math.fround(x));
    sendCompact(client, SERVER_MESSAGES.signals, { ...signals, consensus });
  }

  /** Project engine state into the schema now (room events: joins, host actions, rounds). */
  private refresh() {
    this.projectNow();
  }


  private dirty = true;

  override onBeforePatch() {
    if (this.dirty) this.projectNow();
  }

  private projectNow() {
    this.dirty = false;
    const connected = new Set(this.clientsByPlayer.keys());
    for (const id of this.bots.keys()) connected.add(id);
    project(this.state, this.engine, {
      code: this.roomId, phase: this.phase, paused: this.paused, deadline: this.deadline,
      pausedRemainingMs: this.pausedRemainingMs, connected, bots: new Set(this.bots.keys()), acted: this.acted,
      metrics: this.metrics,
    });
    this.syncViews();
  }

  /** The synced player each client's StateView holds (its own holdings travel only to it). */
  private viewing = new WeakMap<Client, PlayerState>();

  /** Hosts' clients and how many players their views hold. */
  private hostViews = new WeakMap<Client, number>();

  /**
   * Give each seated player's client its own PlayerState (a new seat, a takeover, a reconnection),
   * and a host's client every player's (the lecturer can look at anyone's holdings).
   */
  private syncViews() {
    for (const c of this.clients) {
      if ((c.userData as Seat | undefined)?.kind !== "host" || this.hostViews.get(c) === this.state.players.size) continue;
      if (!c.view) c.view = new StateView();
      const view = c.view;
      this.state.players.forEach((p) => { if (!view.has(p)) view.add(p); });
      this.hostViews.set(c, this.state.players.size);
    }
    for (const [id, client] of this.clientsByPlayer) {
      const mine = this.state.players.get(id);
      if (!mine || this.viewing.get(client) === mine) continue;
      const previous = this.viewing.get(client);
      if (!client.view) client.view = new StateView();
      if (previous) client.view.remove(previous);
      client.view.add(mine);
      this.viewing.set(client, mine);
    }
  }

  private housekeeping() {
    if (this.clients.length > 0) { this.idleSince = Date.now(); return; }
    const idleMs = Date.now() - this.idleSince;
    // Finished or abandoned sessions free their memory; the store keeps them for export.
    if ((this.phase === "ended" && idleMs > 10 * 60_000) || (this.meta.quickPlay && idleMs > 5 * 60_000)) void this.disconnect();
  }

  /**
   * Play again with the same class: a new session with the same settings (and the rule set the host
   * picked), every person already seated with a fresh seat token and every bot re-added, then each
   * connected client is told where to go. Returns the new code, or null if it could not be stored.
   */
  private async rematch(ruleset: RulesetName | undefined): Promise<string | null> {
    const ctx = context();
    let code: string;
    try {
      code = await ctx.cluster.allocate();
    } catch (e) {
      log.error({ code: this.roomId, err: (e as Error).message }, "rematch failed");
      return null;
    }
    // The settings in force now (host:config may have changed the length), with the chosen rule set.
    const config = { ...this.engine.config, ...(ruleset ? { ruleset, switches: {} } : {}) };
    const meta: SessionMeta = { ...this.meta, code, createdAt: Date.now(), config, seed: newSeed() };
    const tokens = new Map<string, string>();
    try {
      ctx.store.create(meta);
      let seq = 0;
      const t = Date.now();
      const entries: StoredEntry[] = [];
      for (const id of this.engine.playerOrder) {
        const p = this.engine.players[id];
        if (p.npc !== null || this.kicked.has(id)) continue;
        const join = { type: "join", name: p.name, role: p.role };
        entries.push({ kind: "action", seq: ++seq, t, playerId: id, action: join });
        const bot = this.bots.get(id);
        if (bot) entries.push({ kind: "bot", seq: ++seq, t, playerId: id, strategy: bot.strategy });
        else {
          const token = newToken();
          tokens.set(id, token);
          entries.push({ kind: "seat", seq: ++seq, t, playerId: id, tokenHash: hashToken(token) });
        }
      }
      await Promise.all(entries.map((e) => ctx.store.append(code, e)));
      await ctx.openSession(code);
    } catch (e) {
      log.error({ code: this.roomId, err: (e as Error).message }, "rematch failed");
      await ctx.cluster.release(code).catch(() => undefined);
      return null;
    }
    this.rematchInfo = { code, tokens };
    for (const c of this.clients) this.sendRematch(c);
    log.info({ from: this.roomId, code }, "rematch created");
    return code;
  }

  /** Where the class went after a rematch, kept so players who were away are sent on when they come back. */
  private rematchInfo: { code: string; tokens: Map<string, string> } | null = null;

  private sendRematch(c: Client) {
    const seat = c.userData as Seat | undefined;
    if (!seat || !this.rematchInfo) return;
    const seatToken = seat.kind === "player" ? this.rematchInfo.tokens.get(seat.playerId) ?? "" : "";
    if (seat.kind === "player" && !seatToken) return;
    c.send(SERVER_MESSAGES.rematch, { code: this.rematchInfo.code, seatToken, role: seat.kind === "host" ? "host" : seat.kind === "spectator" ? "spectator" : "player" });
  }

  /** Called by the sessions API (remoteRoomCall) for `bots` in POST /api/sessions. */
  async addBotsFromApi(count: number): Promise<number> {
    return this.serial(() => this.addBots(count));
  }

  // Test and ops hooks.
  get engineState(): GameState { return this.engine; }
  get roomPhase(): RoomPhase { return this.phase; }
  get sessionMeta(): SessionMeta { return this.meta; }
}

type NewEntry = DistributiveOmit<StoredEntry, "seq" | "t">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function refOf(message: unknown): string | number | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const ref = (message as { ref?: unknown }).ref;
  if (typeof ref === "string" && ref.length <= 64) return ref;
  if (typeof ref === "number" && Number.isFinite(ref)) return ref;
  return undefined;
}
