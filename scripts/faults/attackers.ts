/**
 * Hostile clients for `npm run faults -- hostile` and its test. Each runs until stopped and counts
 * what it did and how the server answered:
 *
 *   nonReader     joins, then never reads its socket again (no pongs either);
 *   stuckReader   joins, never reads, but sends pongs (so the ping timeout never fires) and asks for
 *                 replies it will not read: messages with a 15 KB type, which the server echoes in
 *                 each `result`, within the rate limit;
 *   flooder       sends intents as fast as it can; when disconnected (4429) it comes back with its
 *                 seat token and floods again;
 *   bigFrames     sends 1 MB frames (the cap is 16 KB); when closed (1009) it comes back and again;
 *   garbage       in turn: random bytes instead of HTTP, a WebSocket upgrade followed by an unmasked
 *                 frame and one with a reserved opcode, random binary frames and msgpack garbage in a
 *                 seated connection.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { pack } from "@colyseus/msgpackr";
import { Client, Protocol, type Room } from "colyseus.js";
import type { WebSocket } from "ws";
import type { ArenaState } from "../../server/room/schema.js";
import { sleep } from "./players.js";

/** A ROOM_DATA frame by hand: [13, type (msgpack str), msgpack payload] (colyseus.js cannot encode long types). */
export function roomDataFrame(type: string, payload?: unknown): Uint8Array {
  const t = Buffer.from(type, "utf8");
  const head = t.length < 32 ? [0xa0 | t.length] : t.length < 0x10000 ? [0xda, t.length & 0xff, t.length >> 8] : [0xdb, t.length & 0xff, (t.length >> 8) & 0xff, (t.length >> 16) & 0xff, t.length >>> 24];
  return Buffer.concat([Buffer.from([Protocol.ROOM_DATA, ...head]), t, payload === undefined ? Buffer.alloc(0) : pack(payload)]);
}

function wsOf(room: Room): WebSocket {
  return (room.connection as unknown as { transport: { ws: WebSocket } }).transport.ws;
}

export interface AttackStats {
  kind: string;
  /** Connections opened. */
  connections: number;
  /** Messages or frames sent. */
  sent: number;
  /** How its connections ended (close code as the client saw it, or "server dropped it"). */
  closes: Record<string, number>;
  /** For the non-readers: ms from the attack starting to the server dropping the connection (as the host sees it). */
  droppedAfterMs: number[];
  notes: string[];
}

export abstract class Attacker {
  readonly stats: AttackStats;
  protected running = false;
  private loop: Promise<void> | null = null;
  constructor(kind: string, protected readonly url: string, protected readonly code: string) {
    this.stats = { kind, connections: 0, sent: 0, closes: {}, droppedAfterMs: [], notes: [] };
  }
  protected closed(code: string | number) { this.stats.closes[String(code)] = (this.stats.closes[String(code)] ?? 0) + 1; }
  start() { this.running = true; this.loop = this.run().catch((e: Error) => { this.stats.notes.push(`stopped: ${e.message.slice(0, 160)}`); }); }
  async stop() { this.running = false; await this.loop; await this.cleanup(); }
  protected abstract run(): Promise<void>;
  protected async cleanup(): Promise<void> {}
}

/** Seated attackers: a player seat, rejoined with the seat token after each disconnection. */
abstract class Seated extends Attacker {
  protected room: Room<ArenaState> | null = null;
  playerId = "";
  private seatToken = "";
  protected async seat(): Promise<Room<ArenaState>> {
    const options = this.seatToken ? { seatToken: this.seatToken } : { name: this.stats.kind.slice(0, 20), role: "staker" };
    const room = await new Client(this.url).joinById<ArenaState>(this.code, options);
    this.stats.connections++;
    await new Promise<void>((resolve, fail) => {
      const t = setTimeout(() => fail(new Error("no seat message")), 10_000);
      room.onMessage("seat", (m: { playerId: string; seatToken: string }) => {
        clearTimeout(t);
        this.playerId = m.playerId;
        if (m.seatToken) this.seatToken = m.seatToken;
        resolve();
      });
      room.onMessage("*", () => undefined);
    });
    this.room = room;
    return room;
  }
  protected override async cleanup() {
    const room = this.room;
    if (room?.connection.isOpen) {
      const ws = wsOf(room);
      ws.terminate();
    }
  }
}

/** Never reads its socket again; `pongs` keeps it looking alive; `echoKb` asks for replies of that size. */
export class NonReader extends Seated {
  /** Set by the scenario from the host's view: when the server dropped this seat. */
  startedAt = 0;
  constructor(url: string, code: string, private readonly pongs: boolean, private readonly echoKb: number, private readonly perSecond: number) {
    super(pongs ? "stuckReader" : "nonReader", url, code);
  }
  protected async run() {
    const room = await this.seat();
    const ws = wsOf(room);
    (ws as unknown as { _socket: Socket })._socket.pause();
    this.startedAt = Date.now();
    const type = this.echoKb > 0 ? "x".repeat(this.echoKb * 1024) : "";
    let tick = 0;
    while (this.running && ws.readyState === ws.OPEN) {
      if (this.pongs && tick % 10 === 0) ws.pong();
      if (type && this.perSecond > 0) {
        for (let i = 0; i < this.perSecond / 10; i++) { ws.send(roomDataFrame(type, { ref: this.stats.sent })); this.stats.sent++; }
      }
      tick++;
      await sleep(100);
    }
  }
}

/** As many intents as it can send; back with the seat token after each disconnection. */
export class Flooder extends Seated {
  constructor(url: string, code: string) { super("flooder", url, code); }
  protected async run() {
    while (this.running) {
      const room = await this.seat();
      const left = new Promise<number>((r) => room.onLeave((c) => r(c)));
      let code: number | null = null;
      void left.then((c) => { code = c; });
      while (this.running && code === null) {
        for (let i = 0; i < 100 && room.connection.isOpen; i++) { room.send("stake", { subnet: 1, tao: "0.01", ref: this.stats.sent }); this.stats.sent++; }
        await sleep(5);
      }
      if (code !== null) this.closed(code);
      else return;
      await sleep(50);
    }
  }
}

/** 1 MB frames; back with the seat token after each close. */
export class BigFrames extends Seated {
  constructor(url: string, code: string, private readonly bytes = 1024 * 1024) { super("bigFrames", url, code); }
  protected async run() {
    const frame = roomDataFrame("stake", { subnet: 1, tao: "1", pad: "x".repeat(this.bytes) });
    while (this.running) {
      const room = await this.seat();
      const left = new Promise<number>((r) => room.onLeave((c) => r(c)));
      wsOf(room).send(frame);
      this.stats.sent++;
      const code = await Promise.race([left, sleep(5000).then(() => -1)]);
      this.closed(code === -1 ? "still open after 5 s" : code);
      if (code === -1) wsOf(room).terminate();
      await sleep(100);
    }
  }
}

/** Garbage of several kinds, in turn. */
export class Garbage extends Seated {
  private readonly port: number;
  constructor(url: string, code: string) {
    super("garbage", url, code);
    this.port = Number(new URL(url).port);
  }

  /** Raw TCP: write, then wait for the server to close (or 3 s); the first bytes it answered. */
  private raw(bytes: Buffer, after?: Buffer): Promise<string> {
    return new Promise((resolve) => {
      const s = connect(this.port, "127.0.0.1");
      let answer = "";
      let upgraded = false;
      const done = (what: string) => { clearTimeout(t); s.destroy(); resolve(what); };
      const t = setTimeout(() => done(`open after 3 s ${answer.slice(0, 40)}`), 3000);
      s.on("data", (d) => {
        answer += d.toString("latin1");
        if (after && !upgraded && answer.includes("\r\n\r\n")) { upgraded = true; s.write(after); }
      });
      s.on("error", () => done(`reset ${answer.split("\r\n")[0] ?? ""}`.trim()));
      s.on("close", () => {
        const first = answer.split("\r\n")[0] ?? "";
        // A WebSocket close frame after the upgrade: 0x88, length, code (2 bytes).
        const i = answer.lastIndexOf("\x88");
        const ws = upgraded && i >= 0 && answer.length >= i + 4 ? ` close ${answer.charCodeAt(i + 2) * 256 + answer.charCodeAt(i + 3)}` : "";
        done(`${first}${ws}`.trim() || "closed");
      });
      s.write(bytes);
    });
  }

  private upgrade(): Buffer {
    return Buffer.from(`GET /x/${this.code} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  }

  protected async run() {
    const kinds = ["random bytes", "unmasked frame", "reserved opcode", "random binary frames", "msgpack garbage"] as const;
    for (let n = 0; this.running; n++) {
      const kind = kinds[n % kinds.length];
      this.stats.sent++;
      let outcome: string;
      if (kind === "random bytes") outcome = await this.raw(randomBytes(2048));
      else if (kind === "unmasked frame") outcome = await this.raw(this.upgrade(), Buffer.from([0x82, 0x05, 1, 2, 3, 4, 5]));
      else if (kind === "reserved opcode") outcome = await this.raw(this.upgrade(), Buffer.from([0x83, 0x85, 1, 2, 3, 4, 9, 9, 9, 9, 9]));
      else {
        const room = await this.seat();
        const left = new Promise<number>((r) => room.onLeave((c) => r(c)));
        const ws = wsOf(room);
        for (let i = 0; i < 20 && ws.readyState === ws.OPEN; i++) {
          ws.send(kind === "random binary frames" ? randomBytes(1 + Math.floor(Math.random() * 512)) : Buffer.concat([Buffer.from([Protocol.ROOM_DATA]), randomBytes(64)]));
          this.stats.sent++;
        }
        const code = await Promise.race([left, sleep(300).then(() => -1)]);
        outcome = code === -1 ? "still open (ignored)" : `close ${code}`;
        if (code === -1) await room.leave(true).catch(() => undefined);
      }
      this.closed(`${kind}: ${outcome.replace(/\d{3,}ms|\s+$/g, "")}`);
      await sleep(20);
    }
  }
}
