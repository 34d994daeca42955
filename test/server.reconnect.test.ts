/**
 * Seats survive dropped connections: Colyseus reconnection inside the window (reconnectSeconds: 2),
 * the seat token at any time afterwards (or after a page reload), and a seat is never handed to
 * somebody else: no token gets a new seat, a wrong token is refused, a second tab takes the seat
 * over (the first is told and closed with 4409), and a kicked player stays out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "colyseus.js";
import { matchMaker } from "@colyseus/core";
import { CLOSE_CODES } from "../shared/index.js";
import { createSession, sleep, startServer, type TestServer, until } from "./support/server.js";
import { freePort } from "./support/ports.js";
import { connectedFlag, type Conn, holdings, joinSeat, phaseOf, quietly, reconnectSeat, syncedHoldings } from "./support/seats.js";

const RECONNECT_SECONDS = 2;
let server: TestServer;
const opened: Conn[] = [];

// This file's ports are 4621–4627 (server.recovery.test.ts uses 4628–4640); take a free one.
beforeAll(async () => { server = await startServer(await freePort(4621, 4627), { reconnectSeconds: RECONNECT_SECONDS }); });
afterAll(async () => {
  for (const c of opened) await quietly(c);
  await server?.close();
});

async function join(code: string, options: Record<string, unknown>): Promise<Conn> {
  const c = await joinSeat(server.url, code, options);
  opened.push(c);
  return c;
}

async function reconnect(token: string, playerId: string): Promise<Conn> {
  const c = await reconnectSeat(server.url, token, playerId);
  opened.push(c);
  return c;
}

/** The room's pending Colyseus reconnections (server side, in-process). */
function pendingReconnections(code: string): number {
  const room = matchMaker.getLocalRoomById(code) as unknown as { _reconnections: Record<string, unknown> } | undefined;
  return room ? Object.keys(room._reconnections).length : -1;
}

describe("reconnection and seats", () => {
  let code = "";
  let hostToken = "";
  let host: Conn;
  let ana: Conn;
  let bo: Conn;

  beforeAll(async () => {
    const created = await createSession(server.http, { rounds: 3, roundSeconds: 120 });
    expect(created.status).toBe(201);
    code = created.body.code;
    hostToken = created.body.hostToken;
    host = await join(code, { role: "host", hostToken });
    ana = await join(code, { name: "Ana", role: "staker" });
    bo = await join(code, { name: "Bo", role: "builder" });
    expect((await host.rec.ask("host:start")).ok).toBe(true);
    await until(() => phaseOf(ana.room).phase === "acting" && phaseOf(bo.room).phase === "acting", 3000, "round 1 open");
  });

  it("a dropped client reconnects inside the window and keeps its playerId, balance and role; connected goes false then true", async () => {
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "100" })).ok).toBe(true);
    await until(() => holdings(host.room, ana.playerId)?.tao === "900", 3000, "stake synced");
    const before = holdings(host.room, ana.playerId)!;
    expect(before.role).toBe("staker");
    expect(Number(before.alpha["1"])).toBeGreaterThan(0);
    expect(connectedFlag(host.room, ana.playerId)).toBe(true);

    const token = ana.room.reconnectionToken;
    const dropped = ana;
    await dropped.room.leave(false);
    await until(() => connectedFlag(host.room, ana.playerId) === false, 3000, "connected: false while away");
    await until(() => connectedFlag(bo.room, ana.playerId) === false, 3000, "other players see the drop too");

    const back = await reconnect(token, ana.playerId);
    await until(() => connectedFlag(host.room, ana.playerId) === true, 3000, "connected: true after reconnect");
    await until(() => connectedFlag(back.room, ana.playerId) === true, 3000, "the returning client sees itself connected");
    expect(back.room.sessionId).toBe(dropped.room.sessionId);
    expect(back.room.reconnectionToken).not.toBe(token);
    expect(holdings(back.room, ana.playerId)).toEqual(before);

    // It still acts as the same player: the balance that moves is Ana's.
    expect((await back.rec.ask("stake", { subnet: 1, tao: "10" })).ok).toBe(true);
    await until(() => holdings(host.room, ana.playerId)?.tao === "890", 3000, "Ana's balance moved");
    expect(holdings(host.room, ana.playerId)?.role).toBe("staker");
    // The old reconnection token was single-use.
    await expect(new Client(server.url).reconnect(token)).rejects.toThrow();
    ana = { ...back, seatToken: ana.seatToken };
  });

  it("after the window expires the reconnection token is dead, and the seat token gives back the same seat", async () => {
    expect((await bo.rec.ask("stakeRoot", { tao: "25" })).ok).toBe(true);
    await until(() => holdings(host.room, bo.playerId)?.rootStake !== "0", 3000, "root stake synced");
    const before = holdings(host.room, bo.playerId)!;
    const token = bo.room.reconnectionToken;
    const started = Date.now();
    await bo.room.leave(false);
    await until(() => connectedFlag(host.room, bo.playerId) === false, 3000, "Bo away");
    await until(() => pendingReconnections(code) === 0, (RECONNECT_SECONDS + 2) * 1000, "the reconnection window to close");
    expect(Date.now() - started).toBeGreaterThanOrEqual(RECONNECT_SECONDS * 1000 - 100);
    await expect(new Client(server.url).reconnect(token)).rejects.toThrow(/expired|invalid|not found/i);

    const again = await join(code, { seatToken: bo.seatToken });
    expect(again.playerId).toBe(bo.playerId);
    expect(again.rec.last<{ role: string }>("seat")?.role).toBe("builder");
    expect(await syncedHoldings(again.room, bo.playerId)).toEqual(before);
    await until(() => connectedFlag(host.room, bo.playerId) === true, 3000, "Bo connected again");
    // Still Bo: a builder's intent works.
    expect((await again.rec.ask("setEffort", { research: 0.7, product: 0.3 })).ok).toBe(true);
    bo = { ...again, seatToken: bo.seatToken };
  });

  it("a page reload inside the window (a brand-new Client with the seat token) gets the same seat", async () => {
    const before = holdings(host.room, ana.playerId)!;
    const oldToken = ana.room.reconnectionToken;
    await ana.room.leave(false);
    await until(() => connectedFlag(host.room, ana.playerId) === false, 3000, "Ana away");
    const reloaded = await join(code, { seatToken: ana.seatToken });
    expect(reloaded.playerId).toBe(ana.playerId);
    expect(await syncedHoldings(reloaded.room, ana.playerId)).toEqual(before);
    await until(() => connectedFlag(host.room, ana.playerId) === true, 3000, "Ana connected again");

    // The old tab coming back with its reconnection token must not end up as a second live
    // connection for the same seat: it is either refused or told it was replaced and closed.
    let stale: Conn | null = null;
    try {
      stale = await reconnect(oldToken, ana.playerId);
    } catch {
      stale = null;
    }
    if (stale) {
      const closeCode = await Promise.race([stale.closed, sleep(3000).then(() => -1)]);
      // (The `replaced` message itself is best-effort here: the close can overtake the join handshake.)
      expect(closeCode).toBe(CLOSE_CODES.replaced);
      expect(stale.room.connection.isOpen).toBe(false);
    }
    // The reloaded tab keeps the seat and can act.
    expect(reloaded.room.connection.isOpen).toBe(true);
    expect((await reloaded.rec.ask("stake", { subnet: 2, tao: "5" })).ok).toBe(true);
    await until(() => connectedFlag(host.room, ana.playerId) === true, 3000, "Ana still connected");
    ana = { ...reloaded, seatToken: ana.seatToken };
  });

  it("never gives a seat to someone else: no token means a new seat, a wrong or foreign token is refused", async () => {
    const stranger = await join(code, { name: "Ana", role: "staker" });
    expect(stranger.playerId).not.toBe(ana.playerId);
    expect(stranger.playerId).not.toBe(bo.playerId);
    expect(stranger.seatToken).not.toBe(ana.seatToken);
    expect((await syncedHoldings(stranger.room, stranger.playerId)).tao).toBe("1000");
    expect(holdings(stranger.room, ana.playerId)?.name).toBe("Ana");
    expect(holdings(stranger.room, stranger.playerId)?.name).not.toBe("Ana");

    await expect(new Client(server.url).joinById(code, { seatToken: "not-a-real-token" })).rejects.toThrow(/seat is not in this session/);
    await expect(new Client(server.url).joinById(code, { seatToken: "" })).rejects.toThrow();
    await expect(new Client(server.url).joinById(code, { seatToken: "x".repeat(500) })).rejects.toThrow(/malformed/);

    // A real seat token from another session does not open a seat here.
    const other = await createSession(server.http, { rounds: 2 });
    const elsewhere = await join(other.body.code, { name: "Zed" });
    await expect(new Client(server.url).joinById(code, { seatToken: elsewhere.seatToken })).rejects.toThrow(/seat is not in this session/);

    // Nobody's holdings changed by these attempts.
    expect(holdings(host.room, ana.playerId)?.name).toBe("Ana");
    await quietly(stranger);
  });

  it("a second connection with the same seat token takes the seat over; the first gets `replaced` and close 4409", async () => {
    const first = ana;
    const second = await join(code, { seatToken: ana.seatToken });
    expect(second.playerId).toBe(ana.playerId);
    expect(await Promise.race([first.closed, sleep(3000).then(() => -1)])).toBe(CLOSE_CODES.replaced);
    expect(first.rec.messages.some((m) => m.type === "replaced")).toBe(true);
    expect(first.room.connection.isOpen).toBe(false);
    // The seat stays connected (the new tab), and the new tab acts for it.
    await until(() => connectedFlag(host.room, ana.playerId) === true, 3000, "seat still connected");
    const tao = holdings(host.room, ana.playerId)!.tao;
    expect((await second.rec.ask("stake", { subnet: 1, tao: "1" })).ok).toBe(true);
    await until(() => holdings(host.room, ana.playerId)?.tao !== tao, 3000, "the new tab's stake");
    await sleep(200);
    expect(connectedFlag(host.room, ana.playerId)).toBe(true);
    ana = { ...second, seatToken: ana.seatToken };
  });

  it("a kicked player cannot come back with its seat token", async () => {
    const cy = await join(code, { name: "Cy", role: "staker" });
    await until(() => holdings(host.room, cy.playerId) !== undefined, 3000, "Cy synced");
    expect((await host.rec.ask("host:kick", { playerId: cy.playerId })).ok).toBe(true);
    expect(await Promise.race([cy.closed, sleep(3000).then(() => -1)])).toBe(CLOSE_CODES.kicked);
    await expect(new Client(server.url).joinById(code, { seatToken: cy.seatToken })).rejects.toThrow(/removed/);
    // Nor with the reconnection token of the kicked connection.
    await expect(new Client(server.url).reconnect(cy.room.reconnectionToken)).rejects.toThrow();
    await until(() => connectedFlag(host.room, cy.playerId) === false, 3000, "Cy shown as away");
  });

  it("a player kicked while away cannot slip back in through its reconnection token either", async () => {
    const dee = await join(code, { name: "Dee", role: "staker" });
    await until(() => connectedFlag(host.room, dee.playerId) === true, 3000, "Dee synced");
    const token = dee.room.reconnectionToken;
    await dee.room.leave(false);
    await until(() => connectedFlag(host.room, dee.playerId) === false, 3000, "Dee away");
    expect((await host.rec.ask("host:kick", { playerId: dee.playerId })).ok).toBe(true);
    let back: Conn | null = null;
    try {
      back = await reconnect(token, dee.playerId);
    } catch {
      back = null;
    }
    if (back) {
      expect(await Promise.race([back.closed, sleep(3000).then(() => -1)])).toBe(CLOSE_CODES.kicked);
    }
    await sleep(200);
    expect(connectedFlag(host.room, dee.playerId)).toBe(false);
    await expect(new Client(server.url).joinById(code, { seatToken: dee.seatToken })).rejects.toThrow(/removed/);
  });

  it("the seat token works at any time: after rounds resolve and after the game has ended", async () => {
    const before = ana.rec.messages.length;
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    await ana.rec.waitFor("report", 3000, before);
    // During the resolving pause.
    await until(() => phaseOf(host.room).phase === "resolving", 3000, "resolving");
    const during = await join(code, { seatToken: bo.seatToken });
    expect(during.playerId).toBe(bo.playerId);
    await until(() => phaseOf(host.room).phase === "acting" && phaseOf(host.room).round === 2, 5000, "round 2");
    expect((await host.rec.ask("host:end")).ok).toBe(true);
    await until(() => phaseOf(host.room).phase === "ended", 3000, "ended");
    const afterEnd = await join(code, { seatToken: ana.seatToken });
    expect(afterEnd.playerId).toBe(ana.playerId);
    await afterEnd.rec.waitFor("debrief", 3000);
    expect(await syncedHoldings(afterEnd.room, ana.playerId)).toEqual(holdings(host.room, ana.playerId));
  });
});
