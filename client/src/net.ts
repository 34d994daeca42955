/**
 * The connection to the game server: joining, intents with refs and their results, private
 * messages, and getting the seat back after a drop (Colyseus reconnection within the window,
 * then the seat token, which is kept in localStorage so a reload or a closed laptop keeps the seat).
 */
import { Client, type Room } from "colyseus.js";
import type { Store } from "./store";
import { type HistoryMessage, type PriceTape, tapeFromHistory } from "../../shared/index";
import { fromWire, observeWireTape, type WireState } from "./synced";
import type { Debrief, Income, PublicReport, Result, Seat, Signals } from "./types";

const SEAT_KEY = (code: string) => `dtao-arena.seat.${code}`;
const HOST_KEY = (code: string) => `dtao-arena.host.${code}`;
const NAME_KEY = "dtao-arena.name";

export interface JoinChoice {
  name: string;
  role: "staker" | "builder" | "validator" | "spectator";
}

export class ArenaConnection {
  private client: Client;
  private room: Room | null = null;
  private refs = 0;
  private waiters = new Map<string, (r: Result) => void>();
  private leaving = false;
  private code = "";

  constructor(readonly store: Store, readonly endpoint = defaultEndpoint()) {
    this.client = new Client(endpoint);
  }

  get currentRoom(): Room | null {
    return this.room;
  }

  static rememberedName(): string {
    return localStorage.getItem(NAME_KEY) ?? "";
  }

  static hasSeat(code: string): boolean {
    return !!localStorage.getItem(SEAT_KEY(code)) || !!localStorage.getItem(HOST_KEY(code));
  }

  async createSession(options: Record<string, unknown>): Promise<{ code: string; hostToken: string; joinUrl: string }> {
    const res = await fetch("/api/sessions", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(options),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 201) throw new Error(body.error ?? `the server answered ${res.status}`);
    localStorage.setItem(HOST_KEY(body.code), body.hostToken);
    return body;
  }

  async sessionExists(code: string): Promise<boolean> {
    const res = await fetch(`/api/sessions/${encodeURIComponent(code)}`);
    if (res.status === 404) return false;
    const body = await res.json().catch(() => ({}));
    return !!body.live;
  }

  async quickPlay(choice: JoinChoice): Promise<void> {
    localStorage.setItem(NAME_KEY, choice.name);
    await this.attach(() => this.client.joinOrCreate("market", choice));
  }

  async join(code: string, choice: JoinChoice): Promise<void> {
    localStorage.setItem(NAME_KEY, choice.name);
    await this.attach(() => this.client.joinById(code, choice));
  }

  async host(code: string, hostToken?: string): Promise<void> {
    const token = hostToken ?? localStorage.getItem(HOST_KEY(code)) ?? "";
    this.store.set({ hostToken: token });
    await this.attach(() => this.client.joinById(code, { role: "host", hostToken: token, name: "Host" }));
  }

  /** Back into a session this browser already holds a seat (or the host token) for. */
  async resume(code: string): Promise<boolean> {
    const hostToken = localStorage.getItem(HOST_KEY(code));
    if (hostToken) {
      await this.host(code, hostToken);
      return true;
    }
    const seatToken = localStorage.getItem(SEAT_KEY(code));
    if (!seatToken) return false;
    try {
      await this.attach(() => this.client.joinById(code, { seatToken }));
      return true;
    } catch (e) {
      if (/not in this session|removed/.test(String((e as Error).message))) localStorage.removeItem(SEAT_KEY(code));
      throw e;
    }
  }

  /** Send an intent or host message and wait for its result. */
  send(type: string, payload: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Result> {
    const room = this.room;
    if (!room) return Promise.resolve({ type, ok: false, code: "connection/lost", message: "not connected" });
    const ref = `c${++this.refs}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(ref);
        resolve({ ref, type, ok: false, code: "connection/timeout", message: "no answer from the server yet; check your connection" });
      }, timeoutMs);
      this.waiters.set(ref, (r) => { clearTimeout(timer); resolve(r); });
      room.send(type, { ...payload, ref });
    });
  }

  async leave(): Promise<void> {
    this.leaving = true;
    await this.room?.leave(true);
    this.room = null;
    this.store.set({ status: "idle", state: null, seat: null });
  }

  private async attach(join: () => Promise<Room>): Promise<void> {
    this.store.set({ status: "connecting", error: null });
    let room: Room;
    try {
      room = await join();
    } catch (e) {
      this.store.set({ status: "idle", error: friendly((e as Error).message) });
      throw e;
    }
    this.bindRoom(room);
  }

  private bindRoom(room: Room) {
    this.room = room;
    this.code = room.roomId;
    this.leaving = false;
    this.store.set({ status: "open", error: null });
    let wire: WireState | null = null;
    let tape: PriceTape | null = null;
    const derive = () => { if (wire) this.store.set({ state: fromWire(wire, this.store.get().seat?.playerId || null, tape) }); };
    room.onStateChange((state) => {
      wire = (state as { toJSON(): WireState }).toJSON();
      tape = observeWireTape(tape, wire);
      derive();
    });
    room.onMessage("history", (m: HistoryMessage) => {
      tape = tapeFromHistory(m);
      if (wire) tape = observeWireTape(tape, wire);
      derive();
    });
    room.onMessage("seat", (seat: Seat) => {
      if (seat.seatToken) localStorage.setItem(SEAT_KEY(seat.code), seat.seatToken);
      this.store.set({ seat: { ...seat, seatToken: seat.seatToken || (localStorage.getItem(SEAT_KEY(seat.code)) ?? "") } });
      derive();
    });
    room.onMessage("result", (r: Result) => {
      const w = r.ref !== undefined ? this.waiters.get(String(r.ref)) : undefined;
      if (w) { this.waiters.delete(String(r.ref)); w(r); }
    });
    room.onMessage("signals", (signals: Signals) => this.store.set({ signals }));
    room.onMessage("report", (report: PublicReport) => {
      const reports = [...this.store.get().reports.filter((r) => r.round !== report.round), report].sort((a, b) => a.round - b.round);
      this.store.set({ reports });
    });
    room.onMessage("income", (income: Income) => {
      const round = this.store.get().reports.at(-1)?.round ?? 0;
      this.store.set({ income, incomeHistory: [...this.store.get().incomeHistory, { round, income }] });
    });
    room.onMessage("debrief", (debrief: Debrief) => this.store.set({ debrief, reports: debrief.reports }));
    room.onMessage("replaced", () => this.store.set({ status: "replaced" }));
    room.onMessage("rematch", (m: { code: string; seatToken: string; role: string }) => void this.followRematch(room, m));
    room.onLeave((code) => void this.onLeave(room, code));
  }

  /** The host started a new game with this class: move there with the seat it made for us. */
  private async followRematch(room: Room, m: { code: string; seatToken: string; role: string }) {
    if (this.room !== room) return;
    const oldCode = this.code;
    if (m.seatToken) localStorage.setItem(SEAT_KEY(m.code), m.seatToken);
    const hostToken = localStorage.getItem(HOST_KEY(oldCode)) ?? this.store.get().hostToken;
    if (m.role === "host" && hostToken) localStorage.setItem(HOST_KEY(m.code), hostToken);
    this.leaving = true;
    await room.leave(true).catch(() => undefined);
    this.store.set({ reports: [], income: null, incomeHistory: [], debrief: null, signals: null });
    try {
      if (m.role === "host" && hostToken) await this.host(m.code, hostToken);
      else if (m.role === "spectator") await this.join(m.code, { name: "Projector", role: "spectator" });
      else await this.attach(() => this.client.joinById(m.code, { seatToken: m.seatToken }));
    } catch (e) {
      this.store.set({ status: "idle", error: friendly((e as Error).message) });
    }
  }

  private async onLeave(room: Room, code: number) {
    if (this.room !== room) return;
    if (this.leaving || code === 1000 || code === 4000) { this.store.set({ status: "idle" }); return; }
    if (code === 4409) { this.store.set({ status: "replaced" }); return; }
    if (code === 4401) { this.store.set({ status: "kicked" }); return; }
    this.store.set({ status: "reconnecting" });
    const token = room.reconnectionToken;
    // Within the server's window the same connection slot comes back; after it, the seat token does.
    for (let attempt = 0; attempt < 30; attempt++) {
      await sleep(Math.min(500 * 2 ** attempt, 5000));
      try {
        this.bindRoom(await this.client.reconnect(token));
        return;
      } catch {
        try {
          const seatToken = localStorage.getItem(SEAT_KEY(this.code));
          const hostToken = localStorage.getItem(HOST_KEY(this.code));
          const next = hostToken
            ? await this.client.joinById(this.code, { role: "host", hostToken })
            : seatToken ? await this.client.joinById(this.code, { seatToken }) : null;
          if (next) { this.bindRoom(next); return; }
        } catch { /* server still away: keep trying */ }
      }
    }
    this.store.set({ status: "lost", error: "Lost the connection to the server. Reload the page to try again; your seat is kept." });
  }
}

function defaultEndpoint(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}`;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Server errors in words a player understands. */
export function friendly(message: string): string {
  if (/not found|invalid room|roomId/i.test(message)) return "No session with that code. Check the code with your host.";
  if (/full/i.test(message)) return message;
  if (/Failed to fetch|ECONNREFUSED|NetworkError|offline/i.test(message)) return "Cannot reach the game server. Check your connection and try again.";
  return message.replace(/^\(\d+\)\s*/, "");
}
