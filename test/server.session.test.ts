/**
 * A full private session over real websockets: the host creates it over HTTP, three players of
 * different roles join, trade, set effort and weights, the host advances rounds and ends the game.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Room } from "colyseus.js";
import { matchMaker } from "@colyseus/core";
import { replay, stateHash } from "../shared/index.js";
import type { MarketRoom } from "../server/room/MarketRoom.js";
import { client, createSession, Recorder, startServer, type TestServer, until } from "./support/server.js";

const PORT = 4611;
let server: TestServer;

beforeAll(async () => { server = await startServer(PORT); });
afterAll(async () => { await server.close(); });

interface Joined { room: Room; rec: Recorder; playerId: string; seatToken: string }

async function join(code: string, options: Record<string, unknown>): Promise<Joined> {
  const room = await client(server.url).joinById(code, options);
  const rec = new Recorder(room);
  const seat = await rec.waitFor<{ playerId: string; seatToken: string }>("seat");
  return { room, rec, playerId: seat.playerId, seatToken: seat.seatToken };
}

describe("a private session", () => {
  let code = "";
  let hostToken = "";
  let host: Joined;
  let ana: Joined;
  let bo: Joined;
  let vic: Joined;

  it("is created over HTTP with a 6-character code and a host token; bad options get a 400", async () => {
    const bad = await createSession(server.http, { rounds: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/rounds/);
    const unknown = await createSession(server.http, { colour: "red" });
    expect(unknown.status).toBe(400);
    const ok = await createSession(server.http, { rounds: 3, roundSeconds: 60, scenario: "dtao-launch" });
    expect(ok.status).toBe(201);
    expect(ok.body.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(ok.body.joinUrl).toContain(`/join/${ok.body.code}`);
    code = ok.body.code;
    hostToken = ok.body.hostToken;
  });

  it("refuses a wrong host token and lets the real host in", async () => {
    await expect(client(server.url).joinById(code, { role: "host", hostToken: "nope" })).rejects.toThrow(/host token/);
    host = await join(code, { role: "host", hostToken, name: "Prof" });
    expect(host.playerId).toBe("@host");
  });

  it("seats three players with seat tokens and unique names", async () => {
    ana = await join(code, { name: "Ana", role: "staker" });
    bo = await join(code, { name: "Bo", role: "builder" });
    vic = await join(code, { name: "ana", role: "validator" });
    expect(ana.seatToken.length).toBeGreaterThan(10);
    await until(() => (ana.room.state as any).players?.size === 3, 3000, "three players synced");
    const names = [...(ana.room.state as any).players.values()].map((p: any) => p.name).sort();
    expect(names).toEqual(["Ana", "Bo", "ana (2)"]);
  });

  it("answers malformed, unknown and unauthorised messages with a code and keeps the room alive", async () => {
    expect((await ana.rec.ask("host:start")).code).toBe("role/forbidden");
    expect((await ana.rec.ask("teleport")).code).toBe("action/unknown_type");
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "1" })).code).toBe("phase/forbidden");
    expect((await ana.rec.ask("stake", "not an object" as never)).code).toBe("action/malformed");
    expect((await host.rec.ask("host:extend", { seconds: -5 })).code).toBe("action/malformed");
    expect((await host.rec.ask("stake", { subnet: 1, tao: "1" })).code).toBe("role/forbidden");
    expect(ana.room.connection.isOpen).toBe(true);
  });

  it("starts on the host's word and opens round 1 with a countdown", async () => {
    expect((await host.rec.ask("host:start")).ok).toBe(true);
    await until(() => (ana.room.state as any).phase === "acting", 3000, "acting phase");
    const s = ana.room.state as any;
    expect(s.round).toBe(1);
    expect(s.deadline).toBeGreaterThan(Date.now() + 50_000);
    await vic.rec.waitFor("signals");
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "abc" })).code).toBe("amount/invalid");
    expect((await ana.rec.ask("stake", { subnet: 1, tao: 5 })).code).toBe("action/malformed");
  });

  it("lets a staker stake and unstake; the player and the host see the balance change, other players never see it", async () => {
    const r = await ana.rec.ask("stake", { subnet: 1, tao: "100" });
    expect(r).toMatchObject({ ok: true, type: "stake" });
    await until(() => (ana.room.state as any).players.get(ana.playerId)?.tao === "900", 3000, "own balance");
    await until(() => (host.room.state as any).players.get(ana.playerId)?.tao === "900", 3000, "balance on the host's console");
    const alpha = (ana.room.state as any).players.get(ana.playerId).alpha.get("1");
    expect(Number(alpha)).toBeGreaterThan(0);
    const half = (Number(alpha) / 2).toFixed(9);
    expect((await ana.rec.ask("unstake", { subnet: 1, alpha: half })).ok).toBe(true);
    await until(() => Number((host.room.state as any).players.get(ana.playerId)?.tao) > 900, 3000, "unstake seen");
    await until(() => Number((ana.room.state as any).players.get(ana.playerId)?.tao) > 900, 3000, "unstake seen by the player");
    // Holdings travel only to their owner (and the host): Bo knows Ana by name, role and last close.
    const seenByBo = (bo.room.state as any).players.get(ana.playerId);
    expect(seenByBo.name).toBe("Ana");
    expect(seenByBo.tao).toBeUndefined();
    expect(seenByBo.alpha?.size ?? 0).toBe(0);
    expect(seenByBo.acted).toBeUndefined();
    expect((host.room.state as any).players.get(ana.playerId).acted).toBe(true);
    expect((await ana.rec.ask("stakeRoot", { tao: "50" })).ok).toBe(true);
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "100000" })).code).toBe("balance/insufficient");
  });

  it("lets a builder set effort and a validator set weights, which stay hidden until the round resolves", async () => {
    expect((await bo.rec.ask("setEffort", { research: 0.9, product: 0.1 })).ok).toBe(true);
    expect((await vic.rec.ask("setWeights", { subnet: 1, weights: { "0": 1, "3": 2 } })).ok).toBe(true);
    expect((await vic.rec.ask("stakeRoot", { tao: "500" })).ok).toBe(true);
    const seenByOthers = JSON.stringify((ana.room.state as any).toJSON());
    expect(seenByOthers).not.toContain("pendingWeights");
    for (const secret of ["capability", "minerSkill", "pipeline", "trueQuality", "signals"]) expect(seenByOthers).not.toContain(secret);
    // Only the validator got signals.
    expect(ana.rec.last("signals")).toBeUndefined();
    expect(bo.rec.last("signals")).toBeUndefined();
    expect(vic.rec.last("signals")).toBeDefined();
  });

  it("resolves a round when the host advances, and everyone agrees on round and balances", async () => {
    const before = ana.rec.messages.length;
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    const report = await ana.rec.waitFor<any>("report", 3000, before);
    expect(report.round).toBe(1);
    const full = host.rec.last<any>("report");
    expect(full.round).toBe(1);
    expect(full.subnets.length).toBeGreaterThan(0);
    for (const r of [report, full]) for (const s of r.subnets) expect(s.trueQuality).toBeUndefined();
    // A player's copy: totals and metrics, and the closing price of each subnet it earned in.
    expect(report.metrics).toEqual(full.metrics);
    const earned = Object.keys(ana.rec.last<any>("income")?.alpha ?? {});
    for (const n of earned) expect(report.prices[n]).toBe(full.subnets.find((s: any) => s.netuid === n).price);
    await until(() => (ana.room.state as any).round === 2 && (ana.room.state as any).phase === "acting", 5000, "round 2");
    // Public fields agree everywhere; holdings agree between the player and the host.
    const pub = (j: typeof ana) => { const p = (j.room.state as any).players.get(ana.playerId); return JSON.stringify([p.name, p.role, p.worth, p.connected, p.research]); };
    const own = (j: typeof ana) => JSON.stringify((j.room.state as any).players.get(ana.playerId).toJSON());
    await until(() => new Set([ana, bo, vic, host].map(pub)).size === 1 && own(ana) === own(host), 3000, "agreement");
    expect((ana.room.state as any).players.get(ana.playerId).worth).toBeGreaterThan(0);
    expect(Number((ana.room.state as any).players.get(ana.playerId).rootStake)).toBeGreaterThan(50);
  });

  it("a client joining late decodes the same state as those that followed every patch (views included)", async () => {
    expect((await ana.rec.ask("stake", { subnet: 2, tao: "7" })).ok).toBe(true);
    const late = await join(code, { name: "Zed", role: "staker" });
    const shared = (j: Joined) => {
      const st = (j.room.state as any).toJSON();
      const players = Object.fromEntries(Object.entries(st.players).map(([id, p]: [string, any]) => [id, [p.name, p.role, p.worth, p.research]]));
      return JSON.stringify([st.round, st.phase, st.block, st.subnets, st.validators, st.metrics, st.rules, players]);
    };
    await until(() => new Set([ana, bo, vic, host, late].map(shared)).size === 1, 3000, "late joiner agrees");
    expect(((late.room.state as any).players.get(late.playerId)).tao).toBe("1000");
    expect(((late.room.state as any).players.get(ana.playerId)).tao).toBeUndefined();
    await late.room.leave(true);
  });

  it("exports the session: JSON replays to the live state, CSV has tidy tables, host token required", async () => {
    const denied = await fetch(`${server.http}/api/sessions/${code}/export.json`);
    expect(denied.status).toBe(403);
    const json = (await (await fetch(`${server.http}/api/sessions/${code}/export.json`, { headers: { authorization: `Bearer ${hostToken}` } })).json()) as { seed: number; config: never; log: never };
    expect(json.seed).toBeTypeOf("number");
    const live = matchMaker.getLocalRoomById(code) as MarketRoom;
    const replayed = replay(json.config, json.seed, json.log);
    expect(replayed.rejected).toEqual([]);
    expect(stateHash(replayed.state)).toBe(stateHash(live.engineState));
    const csv = await (await fetch(`${server.http}/api/sessions/${code}/export.csv?hostToken=${hostToken}`)).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("table,round,time,subnet,player,metric,value");
    const tables = new Set(lines.slice(1).map((l) => l.split(",")[0]));
    expect([...tables].sort()).toEqual(["action", "metrics_round", "player_round", "subnet_round"]);
    expect(csv).toContain(`${ana.playerId},stake,`);
  });

  it("plays to the end and sends the debrief with true quality revealed", async () => {
    await host.rec.ask("host:advance");
    await until(() => (ana.room.state as any).round === 3 && (ana.room.state as any).phase === "acting", 5000, "round 3");
    const before = ana.rec.messages.length;
    await host.rec.ask("host:advance");
    const debrief = await ana.rec.waitFor<any>("debrief", 5000, before);
    await until(() => (ana.room.state as any).phase === "ended", 3000, "ended phase");
    expect(debrief.leaderboard.map((r: any) => r.name)).toContain("Ana");
    expect(debrief.reports).toHaveLength(3);
    expect(typeof debrief.reports[0].subnets[0].trueQuality).toBe("number");
    expect((await ana.rec.ask("stake", { subnet: 1, tao: "1" })).ok).toBe(false);
  });
});

describe("quick play", () => {
  it("puts one person into a running public game with bots at once", async () => {
    const room = await client(server.url).joinOrCreate("market", { name: "Solo", role: "staker" });
    const rec = new Recorder(room);
    await rec.waitFor("seat");
    await until(() => (room.state as any).phase === "acting", 5000, "quick play started");
    const players = [...(room.state as any).players.values()];
    expect(players.filter((p: any) => p.bot).length).toBeGreaterThanOrEqual(3);
    expect((await rec.ask("stake", { subnet: 2, tao: "10" })).ok).toBe(true);
    const second = await client(server.url).joinOrCreate("market", { name: "Duo", role: "staker" });
    expect(second.roomId).toBe(room.roomId);
    await second.leave();
    await room.leave();
  });
});
