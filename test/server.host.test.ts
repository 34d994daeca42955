/**
 * The host's controls over real websockets: roles in the lobby (assign, auto-balance), settings,
 * the round clock (pause, resume, extend), rule set switches recorded in the round report, scripted
 * shocks, bots joining on request, and kicking.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Room } from "colyseus.js";
import { client, createSession, Recorder, startServer, type TestServer, until } from "./support/server.js";

const PORT = 4681;
let server: TestServer;
beforeAll(async () => { server = await startServer(PORT); });
afterAll(async () => { await server.close(); });

interface Joined { room: Room; rec: Recorder; playerId: string }
async function join(code: string, options: Record<string, unknown>): Promise<Joined> {
  const room = await client(server.url).joinById(code, options);
  const rec = new Recorder(room);
  const seat = await rec.waitFor<{ playerId: string }>("seat");
  return { room, rec, playerId: seat.playerId };
}
const st = (j: Joined) => j.room.state as any;

describe("host controls", () => {
  let code = "";
  let host: Joined;
  let a: Joined;
  let b: Joined;
  let c: Joined;

  beforeAll(async () => {
    const s = await createSession(server.http, { rounds: 4, roundSeconds: 120 });
    code = s.body.code;
    host = await join(code, { role: "host", hostToken: s.body.hostToken });
    a = await join(code, { name: "A", role: "staker" });
    b = await join(code, { name: "B", role: "staker" });
    c = await join(code, { name: "C", role: "staker" });
  });

  it("assigns a role and auto-balances roles in the lobby", async () => {
    expect((await host.rec.ask("host:assignRole", { playerId: a.playerId, role: "validator" })).ok).toBe(true);
    await until(() => st(b).players.get(a.playerId)?.role === "validator", 3000, "role assigned");
    expect((await host.rec.ask("host:balanceRoles")).ok).toBe(true);
    await until(() => new Set([...st(b).players.values()].map((p: any) => p.role)).size >= 2, 3000, "roles balanced");
    expect((await a.rec.ask("setRole", { role: "staker" })).ok).toBe(true);
  });

  it("changes settings in the lobby only, and refuses a scenario change", async () => {
    expect((await host.rec.ask("host:config", { rounds: 3, roundSeconds: 100 })).ok).toBe(true);
    await until(() => st(a).totalRounds === 3, 3000, "rounds changed");
    expect((await host.rec.ask("host:config", { scenario: "oligarchy" })).code).toBe("action/malformed");
    expect((await host.rec.ask("host:config", { rounds: 0 })).code).toBe("action/malformed");
  });

  it("adds bots that then play", async () => {
    expect((await host.rec.ask("host:bots", { count: 2, strategy: "noise" })).ok).toBe(true);
    await until(() => [...st(a).players.values()].filter((p: any) => p.bot).length === 2, 3000, "bots joined");
  });

  it("pauses, resumes and extends the round clock", async () => {
    expect((await host.rec.ask("host:start")).ok).toBe(true);
    expect((await host.rec.ask("host:config", { rounds: 5 })).code).toBe("phase/forbidden");
    await until(() => st(a).phase === "acting", 3000, "acting");
    const deadline = st(a).deadline;
    expect(deadline - Date.now()).toBeGreaterThan(90_000);
    expect((await host.rec.ask("host:pause")).ok).toBe(true);
    await until(() => st(a).paused === true, 3000, "paused");
    expect(st(a).pausedRemainingMs).toBeGreaterThan(90_000);
    expect((await a.rec.ask("stakeRoot", { tao: "1" })).code).toBe("phase/forbidden");
    expect((await host.rec.ask("host:extend", { seconds: 60 })).ok).toBe(true);
    await until(() => st(a).pausedRemainingMs > 150_000, 3000, "extended while paused");
    expect((await host.rec.ask("host:resume")).ok).toBe(true);
    await until(() => st(a).paused === false && st(a).deadline > deadline + 50_000, 3000, "resumed later");
    expect((await a.rec.ask("stakeRoot", { tao: "1" })).ok).toBe(true);
  });

  it("switches the rule set between rounds; the report records which rule allocated the round", async () => {
    expect((await host.rec.ask("host:ruleset", { ruleset: "root-weights" })).ok).toBe(true);
    expect((await host.rec.ask("host:ruleset", { ruleset: "anarchy" })).code).toBe("action/malformed");
    expect((await host.rec.ask("host:shock", { kind: "breakthrough", subnet: 2 })).ok).toBe(true);
    const before = a.rec.messages.length;
    const hostBefore = host.rec.messages.length;
    expect((await host.rec.ask("host:advance")).ok).toBe(true);
    const report = await a.rec.waitFor<any>("report", 5000, before);
    expect(report.ruleset).toBe("root-weights");
    const full = await host.rec.waitFor<any>("report", 5000, hostBefore);
    expect(full.ruleset).toBe("root-weights");
    expect(full.events.some((e: any) => e.kind === "breakthrough")).toBe(true);
    await until(() => st(a).ruleset === "root-weights" && st(a).phase === "acting", 5000, "next round under root weights");
  });

  it("kicks a player, who is disconnected and cannot act", async () => {
    expect((await host.rec.ask("host:kick", { playerId: c.playerId })).ok).toBe(true);
    await until(() => !c.room.connection.isOpen, 3000, "kicked client closed");
    expect((await host.rec.ask("host:kick", { playerId: "nobody" })).code).toBe("player/unknown");
  });

  it("ends the game on request", async () => {
    expect((await host.rec.ask("host:rematch", { ruleset: "dtao-flow" })).code).toBe("phase/forbidden");
    expect((await host.rec.ask("host:end")).ok).toBe(true);
    await until(() => st(a).phase === "ended", 3000, "ended");
    expect((await host.rec.ask("host:end")).code).toBe("phase/forbidden");
    expect((await host.rec.ask("host:bots", { count: 1 })).code).toBe("phase/forbidden");
  });

  it("plays again with the same class under another rule set", async () => {
    const r = await host.rec.ask("host:rematch", { ruleset: "dtao-flow" });
    expect(r.ok).toBe(true);
    const next = r.message!;
    expect(next).toMatch(/^[A-Z0-9]{6}$/);
    expect(next).not.toBe(code);
    const move = await a.rec.waitFor<{ code: string; seatToken: string }>("rematch");
    expect(move.code).toBe(next);
    const again = await join(next, { seatToken: move.seatToken });
    expect(again.playerId).toBe(a.playerId);
    await until(() => st(again).players?.size >= 4, 3000, "class seated in the new game");
    const s2 = st(again);
    expect(s2.ruleset).toBe("dtao-flow");
    expect(s2.phase).toBe("lobby");
    expect(s2.players.get(a.playerId).tao).toBe("1000");
    expect([...s2.players.values()].filter((p: any) => p.bot).length).toBe(2);
    // The kicked player was not carried over; the host keeps its token.
    expect(s2.players.get(c.playerId)).toBeUndefined();
    const hostMove = await host.rec.waitFor<{ code: string; seatToken: string; role: string }>("rematch");
    expect(hostMove.role).toBe("host");
  });
});
