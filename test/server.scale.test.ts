/**
 * Scale-out: two real server processes (`npx tsx server/main.ts`) sharing one throwaway Redis
 * (REDIS_URL), each with its own PORT, PUBLIC_ADDRESS=127.0.0.1:PORT and DATA_DIR.
 *  - a session created through A's HTTP API is joined (host + two players) through B's endpoint:
 *    B's matchmaker sends every WebSocket to A, which hosts it; a round is played and everyone
 *    agrees on the report and the balances; a seat token works through either endpoint;
 *  - `GET /api/sessions/:code` and the exports answer from either process;
 *  - quick play from both endpoints at once lands in one shared room;
 *  - a third process started on a copy of A's data folder does not open A's live session;
 *  - kill -9 A, restart it on its port and folder: the session comes back there (the code claim the
 *    killed process left in Redis is taken over) and the seats rejoin through B.
 * Without /usr/bin/redis-server the file skips locally and fails under CI=true.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, type Room } from "colyseus.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArenaProcess, eventually, startArenaProcess } from "./support/arenaProcess.js";
import { freePort } from "./support/ports.js";
import { RedisPresence } from "@colyseus/redis-presence";
import { CLOSE_CODES } from "../shared/index.js";
import { hasRedis, mustHaveRedis, type RedisProcess, startRedis } from "./support/redis.js";
import { type Conn, holdings, joinSeat, phaseOf, quietly } from "./support/seats.js";
import { createSession, Recorder, until } from "./support/server.js";

/** This file's ports: server processes and Redis. */
const PORTS = { from: 4701, to: 4730 };
const REDIS_PORTS = { from: 6390, to: 6399 };
const run = hasRedis || mustHaveRedis;

let redis: RedisProcess | undefined;
const processes: ArenaProcess[] = [];
const conns: Conn[] = [];
const rooms: Room[] = [];
const dirs: string[] = [];
const usedPorts: number[] = [];

/**
 * A server process on a port of this file's range, announcing itself as 127.0.0.1:<port>. The
 * port is chosen before the spawn (PUBLIC_ADDRESS names it), so a port taken meanwhile means a
 * retry on another one, unless `restartOn` asks for that port (a restart keeps its address).
 */
async function startNode(dataDir: string, opts: { first?: number; restartOn?: number } = {}): Promise<ArenaProcess> {
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = opts.restartOn ?? (attempt === 0 && opts.first !== undefined ? opts.first : await freePort(PORTS.from, PORTS.to, usedPorts));
    if (!usedPorts.includes(p)) usedPorts.push(p);
    try {
      const proc = await startArenaProcess({ preferred: p, from: p, to: p }, dataDir, {
        REDIS_URL: redis!.url, PUBLIC_ADDRESS: `127.0.0.1:${p}`,
      });
      processes.push(proc);
      return proc;
    } catch (e) {
      lastError = e as Error;
      if (opts.restartOn !== undefined) break;
    }
  }
  throw lastError ?? new Error("could not start a server process");
}

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function enter(url: string, code: string, options: Record<string, unknown>): Promise<Conn> {
  const c = await joinSeat(url, code, options);
  conns.push(c);
  return c;
}

/** The WebSocket URL a colyseus.js room actually connected to. */
function socketUrl(room: Room): string {
  return String((room.connection.transport as unknown as { ws: { url: string } }).ws.url);
}

function hostedBy(room: Room, p: ArenaProcess): boolean {
  return socketUrl(room).startsWith(`ws://127.0.0.1:${p.port}/`);
}

const key = (v: unknown) => JSON.stringify(v);

async function sessionInfo(p: ArenaProcess, code: string): Promise<{ status: number; body: { code?: string; live?: boolean } }> {
  const res = await fetch(`${p.http}/api/sessions/${code}`);
  return { status: res.status, body: (await res.json()) as { code?: string; live?: boolean } };
}

async function exportFrom(p: ArenaProcess, code: string, hostToken: string, kind: "json" | "csv" = "json") {
  return fetch(`${p.http}/api/sessions/${code}/export.${kind}`, { headers: { authorization: `Bearer ${hostToken}` } });
}

describe.runIf(run)("several server processes sharing one Redis", () => {
  let A: ArenaProcess;
  let B: ArenaProcess;
  let dirA = "";
  let code = "";
  let hostToken = "";
  let seen: Record<string, unknown> = {};
  let seats: { playerId: string; seatToken: string }[] = [];

  beforeAll(async () => {
    if (!hasRedis) throw new Error("redis-server is required under CI (apt-get install redis-server)");
    redis = await startRedis(REDIS_PORTS.from, REDIS_PORTS.to);
    dirA = tempDir("arena-scale-a-");
    const dirB = tempDir("arena-scale-b-");
    const portA = await freePort(PORTS.from, PORTS.to);
    usedPorts.push(portA);
    const portB = await freePort(PORTS.from, PORTS.to, usedPorts);
    usedPorts.push(portB);
    [A, B] = await Promise.all([startNode(dirA, { first: portA }), startNode(dirB, { first: portB })]);
  }, 60_000);

  afterAll(async () => {
    for (const c of conns) await quietly(c);
    for (const r of rooms) await Promise.race([r.leave().catch(() => undefined), new Promise((res) => setTimeout(res, 500))]);
    for (const p of processes) await p.stop("SIGKILL").catch(() => undefined);
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("plays a session created through A's API with everyone connected through B's endpoint", async () => {
    const created = await createSession(A.http, { rounds: 5, roundSeconds: 60 });
    expect(created.status).toBe(201);
    ({ code, hostToken } = created.body);

    const host = await enter(B.url, code, { role: "host", hostToken });
    const ana = await enter(B.url, code, { name: "Ana", role: "staker" });
    const bo = await enter(B.url, code, { name: "Bo", role: "validator" });
    const everyone = [host, ana, bo];
    // B's matchmaker reserved the seats in A's room and sent each WebSocket to A's public address.
    for (const c of everyone) expect(hostedBy(c.room, A), socketUrl(c.room)).toBe(true);

    expect((await host.rec.ask("host:start")).ok).toBe(true);
    await until(() => everyone.every((c) => phaseOf(c.room).phase === "acting" && phaseOf(c.room).round === 1), 3000, "round 1 open");
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "100" })).ok).toBe(true);
    expect((await bo.rec.ask("stakeRoot", { tao: "200" })).ok).toBe(true);
    expect((await bo.rec.ask("stake", { subnet: 2, tao: "50" })).ok).toBe(true);

    const marks = everyone.map((c) => c.rec.messages.length);
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    const reports = await Promise.all(everyone.map((c, i) => c.rec.waitFor<{ round: number; emitted: string }>("report", 5000, marks[i])));
    for (const r of reports) {
      expect(r.round).toBe(1);
      expect(r.emitted).toBe(reports[0].emitted);
    }
    await until(() => everyone.every((c) => phaseOf(c.room).phase === "acting" && phaseOf(c.room).round === 2), 5000, "round 2 open");

    // Each player and the host agree on its balances (nobody else is sent them), and the stakes show.
    for (const pl of [ana, bo]) {
      await until(() => new Set([host, pl].map((c) => key(holdings(c.room, pl.playerId)))).size === 1, 3000, `clients agree on ${pl.playerId}`);
    }
    expect(Number(holdings(host.room, ana.playerId)!.alpha["1"])).toBeGreaterThan(0);
    expect(Number(holdings(host.room, bo.playerId)!.rootStake)).toBeGreaterThan(0);
    seen = Object.fromEntries([ana, bo].map((c) => [c.playerId, holdings(host.room, c.playerId)]));
    seats = [ana, bo].map((c) => ({ playerId: c.playerId, seatToken: c.seatToken }));

    // A seat token works through either endpoint: Ana leaves and comes back through A, Bo through B.
    await ana.room.leave(true);
    const anaAgain = await enter(A.url, code, { seatToken: ana.seatToken });
    expect(anaAgain.playerId).toBe(ana.playerId);
    expect(hostedBy(anaAgain.room, A)).toBe(true);
    await bo.room.leave(true);
    const boAgain = await enter(B.url, code, { seatToken: bo.seatToken });
    expect(boAgain.playerId).toBe(bo.playerId);
    expect(hostedBy(boAgain.room, A)).toBe(true);
    await until(() => key(holdings(anaAgain.room, ana.playerId)) === key(seen[ana.playerId]), 3000, "rejoined seat synced");
    await until(() => key(holdings(boAgain.room, bo.playerId)) === key(seen[bo.playerId]), 3000, "rejoined seat synced");
  });

  it("answers for the session and exports it from either process", async () => {
    expect(code).not.toBe("");
    for (const p of [A, B]) {
      expect(await sessionInfo(p, code)).toEqual({ status: 200, body: { code, live: true } });
      const json = await exportFrom(p, code, hostToken);
      expect(json.status).toBe(200);
      const body = (await json.json()) as { code: string; log: { kind: string; playerId?: string; action?: { type: string } }[] };
      expect(body.code).toBe(code);
      expect(body.log.filter((e) => e.kind === "resolve")).toHaveLength(1);
      expect(body.log.some((e) => e.kind === "action" && e.action?.type === "stake" && e.playerId === seats[0].playerId)).toBe(true);
      const csv = await exportFrom(p, code, hostToken, "csv");
      expect(csv.status).toBe(200);
      expect((await csv.text()).split("\n")[0]).toBe("table,round,time,subnet,player,metric,value");
      expect((await exportFrom(p, code, "not-the-token")).status).toBe(403);
    }
    expect((await sessionInfo(B, "ZZZZZZ")).status).toBe(404);
    expect((await exportFrom(B, "ZZZZZZ", hostToken)).status).toBe(404);
  });

  it("puts quick players from both endpoints into one shared room", async () => {
    // Both at once: the create lock in presence must make the second wait for the first's room.
    const quick = (url: string, name: string) => new Client(url).joinOrCreate("market", { name, role: "staker" })
      .then((room) => { rooms.push(room); return { room, rec: new Recorder(room) }; });
    const [{ room: ra, rec: ca }, { room: rb, rec: cb }] = await Promise.all([quick(A.url, "Cy"), quick(B.url, "Di")]);
    const [sa, sb] = await Promise.all([ca.waitFor<{ playerId: string }>("seat"), cb.waitFor<{ playerId: string }>("seat")]);
    expect(ra.roomId).toBe(rb.roomId);
    expect(ra.roomId).not.toBe(code);
    // Both sockets went to the one process that hosts the room.
    expect(socketUrl(ra).split("/")[2]).toBe(socketUrl(rb).split("/")[2]);
    for (const r of [ra, rb]) {
      await until(() => {
        const players = (r.state as any)?.players;
        return players?.has(sa.playerId) && players?.has(sb.playerId);
      }, 5000, "both quick players in the same state");
    }
    await until(() => phaseOf(ra).phase === "acting", 5000, "quick play started");
    expect((await ca.ask("stake", { subnet: 2, tao: "10" })).ok).toBe(true);
    for (const p of [A, B]) expect((await sessionInfo(p, ra.roomId)).body.live).toBe(true);
  });

  it("does not open A's live session in a process started on a copy of A's data folder", async () => {
    const copy = tempDir("arena-scale-c-");
    cpSync(dirA, copy, { recursive: true });
    const C = await startNode(copy);
    try {
      expect((await sessionInfo(C, code)).body).toEqual({ code, live: true });
      // A join through C still reaches A's room, with the seat and balances as A has them.
      const again = await enter(C.url, code, { seatToken: seats[1].seatToken });
      expect(again.playerId).toBe(seats[1].playerId);
      expect(hostedBy(again.room, A), socketUrl(again.room)).toBe(true);
      await until(() => key(holdings(again.room, seats[1].playerId)) === key(seen[seats[1].playerId]), 3000, "seat synced from A");
      await quietly(again);
    } finally {
      await C.stop("SIGKILL");
    }
  });

  it("brings the session back on A after kill -9, taking over the code claim A left behind", async () => {
    await A.stop("SIGKILL");
    // While A is down, B knows where the session lives but cannot fetch it.
    await eventually(async () => (await exportFrom(B, code, hostToken)).status === 503, 5000, "B to see A gone");

    A = await startNode(dirA, { restartOn: A.port });
    await eventually(async () => (await sessionInfo(B, code)).body.live === true, 10_000, "the session to be live again")
      .catch((e: Error) => { throw new Error(`${e.message}\n--- A ---\n${A.output().slice(-3000)}`); });
    const host = await enter(B.url, code, { role: "host", hostToken });
    expect(hostedBy(host.room, A)).toBe(true);
    const back = await Promise.all(seats.map((s) => enter(B.url, code, { seatToken: s.seatToken })));
    expect(back.map((c) => c.playerId)).toEqual(seats.map((s) => s.playerId));
    // The host sees every seat's holdings; each player sees its own.
    for (const s of seats) await until(() => key(holdings(host.room, s.playerId)) === key(seen[s.playerId]), 3000, `${s.playerId} restored`);
    for (const [i, c] of back.entries()) await until(() => key(holdings(c.room, seats[i].playerId)) === key(seen[seats[i].playerId]), 3000, `${seats[i].playerId} restored (own view)`);
    expect(phaseOf(host.room).round).toBe(2);
    const mark = host.rec.messages.length;
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    expect((await host.rec.waitFor<{ round: number }>("report", 5000, mark)).round).toBe(2);
  });

  it("a graceful stop (SIGTERM) tells clients to come back (4503) and gives the session's code back in Redis", async () => {
    const presence = new RedisPresence(redis!.url);
    try {
      expect(await presence.hget("arena:claims", code)).toBeTruthy();
      const host = await enter(B.url, code, { role: "host", hostToken });
      const closed = new Promise<number>((resolve) => host.room.onLeave((c) => resolve(c)));
      await A.stop("SIGTERM");
      expect(await closed).toBe(CLOSE_CODES.restarting);
      expect(await presence.hget("arena:claims", code)).toBeFalsy();
    } finally {
      presence.shutdown();
    }
  });
});
