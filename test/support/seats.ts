/**
 * Client-side seat helpers for reconnection and recovery tests: a colyseus.js room wrapped with a
 * Recorder, the close code it ended with, and a snapshot of a player's holdings as synced.
 */
import { Client, type Room } from "colyseus.js";
import { Recorder, until } from "./server.js";

export interface Conn {
  room: Room;
  rec: Recorder;
  /** Player id of this seat ("@host" for the host, "" for a projector). */
  playerId: string;
  /** Seat token from the `seat` message (empty when the seat was taken back, not created). */
  seatToken: string;
  /** Close code once the connection has ended, else null. */
  closedWith(): number | null;
  /** Resolves with the close code when the connection ends. */
  closed: Promise<number>;
}

function wrap(room: Room, playerId: string, seatToken: string): Conn {
  let code: number | null = null;
  const closed = new Promise<number>((resolve) => room.onLeave((c) => { code = c; resolve(c); }));
  return { room, rec: new Recorder(room), playerId, seatToken, closedWith: () => code, closed };
}

/** joinById and wait for the `seat` message. */
export async function joinSeat(url: string, code: string, options: Record<string, unknown>, timeoutMs = 5000): Promise<Conn> {
  const room = await new Client(url).joinById(code, options);
  const conn = wrap(room, "", "");
  const seat = await conn.rec.waitFor<{ playerId: string; seatToken: string }>("seat", timeoutMs);
  conn.playerId = seat.playerId;
  conn.seatToken = seat.seatToken;
  return conn;
}

/** Colyseus reconnection (same live seat): no `seat` message comes back, so the caller says who it was. */
export async function reconnectSeat(url: string, reconnectionToken: string, playerId: string): Promise<Conn> {
  const room = await new Client(url).reconnect(reconnectionToken);
  return wrap(room, playerId, "");
}

/** A player's holdings as one client sees them in the synced state. */
export interface Holdings { tao: string; rootStake: string; alpha: Record<string, string>; role: string; name: string }

export function holdings(room: Room, playerId: string): Holdings | undefined {
  const p = (room.state as any)?.players?.get(playerId);
  if (!p) return undefined;
  // Holdings are view-filtered: only the player itself (and the host) decode them.
  const alpha: Record<string, string> = {};
  if (p.alpha) for (const [k, v] of p.alpha.entries()) alpha[k] = v;
  return { tao: p.tao, rootStake: p.rootStake, alpha, role: p.role, name: p.name };
}

export function connectedFlag(room: Room, playerId: string): boolean | undefined {
  return (room.state as any)?.players?.get(playerId)?.connected;
}

export function phaseOf(room: Room): { phase: string; round: number; deadline: number; paused: boolean } {
  const s = room.state as any;
  return { phase: s?.phase, round: s?.round, deadline: s?.deadline, paused: s?.paused };
}

/** Wait until the client's synced state shows this player, then return the holdings. */
export async function syncedHoldings(room: Room, playerId: string, timeoutMs = 5000): Promise<Holdings> {
  await until(() => holdings(room, playerId)?.tao !== undefined, timeoutMs, `player ${playerId}'s holdings in synced state`);
  return holdings(room, playerId)!;
}

/** Close a connection if it is still open, ignoring errors (for afterAll). */
export async function quietly(conn: Conn | undefined, consented = true): Promise<void> {
  if (!conn) return;
  try {
    if (conn.room.connection.isOpen) await Promise.race([conn.room.leave(consented), new Promise((r) => setTimeout(r, 500))]);
  } catch {
    /* already gone */
  }
}
