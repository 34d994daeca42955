/**
 * Hostile clients over real websockets: fuzzed messages from a player, a spectator and the host in
 * every phase, flooding, oversized and corrupt frames, and attempts to act as the host or as
 * another player. After each batch the room must still answer, every message must have had its
 * `result`, rejected messages must not have changed the engine state, and the TAO audit must hold.
 *
 * One server for the file. Its rate limit is the `limits` object given to startServer, which the
 * room reads on every message (context().rateLimit): the fuzz runs with a generous limit so it
 * explores the handlers rather than the bucket, and the rate-limit tests tighten it.
 * ABUSE_FUZZ_RUNS=300 runs the fuzz properties longer (default 20 runs each; the file takes ~10 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyAction, auditTao, canonicalJson, CLOSE_CODES, ERROR_CODES, type GameState, HOST_MESSAGES, INTENT_TYPES, stateHash,
} from "../shared/index.js";
import { MAX_PAYLOAD_BYTES } from "../server/app.js";
import { context } from "../server/context.js";
import { DEFAULT_RATE_LIMIT, type RateLimitConfig } from "../server/room/rateLimit.js";
import { createSession, type Result, sleep, startServer, type TestServer, until } from "./support/server.js";
import { Actor, asServerSees, firstFreePort, fuzzMessage, type FuzzMessage, liveRoom, roomDataFrame, stringOfBytes } from "./support/abuse.js";

/** 4641 first; the rest of 4643–4650 if another run holds it (test/bots.cli.test.ts uses 4642, 4651–4660). */
const PORTS = [4641, 4643, 4644, 4645, 4646, 4647, 4648, 4649, 4650];
const GENEROUS: RateLimitConfig = { rate: 100_000, burst: 100_000, abuseRefusals: 1_000_000, windowMs: 10_000 };
const limits: RateLimitConfig = { ...GENEROUS };
/** Every code a refusal may carry: the engine's, plus the room's own. */
const KNOWN_CODES = new Set<string>([...ERROR_CODES, "rate/limited", "store/unavailable"]);

let server: TestServer;

beforeAll(async () => {
  // Long resolve pause and bot delay: no timer changes the engine while a batch is compared.
  server = await startServer(await firstFreePort(PORTS), { rateLimit: limits, resolveSeconds: 3600, botDelayMs: 3_600_000 });
  expect(context().rateLimit).toBe(limits);
});
afterAll(async () => { await server?.close(); });

function useLimits(cfg: RateLimitConfig) {
  Object.assign(limits, cfg);
}

type Phase = "lobby" | "acting" | "paused" | "resolving" | "ended";
const PHASES: Phase[] = ["lobby", "acting", "paused", "resolving", "ended"];

interface Table {
  code: string;
  hostToken: string;
  host: Actor;
  staker: Actor;
  builder: Actor;
  validator: Actor;
  /** A validator nobody controls in the test: nobody may act for it. */
  victim: Actor;
  spectator: Actor;
}

async function ok(actor: Actor, type: string, payload: Record<string, unknown> = {}) {
  const r = await actor.rec.ask(type, payload);
  expect(r, `${actor.label} ${type}`).toMatchObject({ ok: true });
}

/** A fresh session with a host, three players, a victim and a spectator, driven into `phase`. */
async function table(phase: Phase): Promise<Table> {
  const { status, body } = await createSession(server.http, { rounds: 20, roundSeconds: 3600 });
  expect(status).toBe(201);
  const join = (options: Record<string, unknown>, label: string) => Actor.join(server.url, body.code, options, label);
  const host = await join({ role: "host", hostToken: body.hostToken, name: "Host" }, "host");
  const staker = await join({ name: "Sam", role: "staker" }, "staker");
  const builder = await join({ name: "Bea", role: "builder" }, "builder");
  const validator = await join({ name: "Val", role: "validator" }, "validator");
  const victim = await join({ name: "Vic", role: "validator" }, "victim");
  const spectator = await join({ role: "spectator" }, "spectator");
  if (phase !== "lobby") await ok(host, "host:start");
  if (phase === "paused") await ok(host, "host:pause");
  if (phase === "resolving") await ok(host, "host:advance");
  if (phase === "ended") await ok(host, "host:end");
  const roomPhase = phase === "paused" ? "acting" : phase;
  expect(liveRoom(body.code).roomPhase).toBe(roomPhase);
  return { code: body.code, hostToken: body.hostToken, host, staker, builder, validator, victim, spectator };
}

function engine(code: string): GameState {
  return liveRoom(code).engineState;
}

function expectAudit(code: string) {
  const audit = auditTao(engine(code));
  expect(audit.problems, "TAO audit").toEqual([]);
  expect(audit.ok).toBe(true);
}

function expectRefusal(r: Result) {
  expect(r.ok).toBe(false);
  expect(typeof r.code, JSON.stringify(r)).toBe("string");
  expect(KNOWN_CODES.has(r.code!), `unknown refusal code ${r.code}`).toBe(true);
  expect(typeof r.message).toBe("string");
}

interface Sent {
  msg: FuzzMessage;
  ref?: string;
  /** The payload as the server decodes it. */
  seen?: unknown;
}

/** Send one fuzz message; plain-object payloads carry a ref so their result can be matched. */
function sendFuzz(actor: Actor, msg: FuzzMessage): Sent {
  // Colyseus hands a "*"-typed message to the catch-all handler as (client, payload): the payload
  // becomes the type and there is no message, hence no ref.
  if (!msg.plain || msg.type === "*") {
    actor.send(msg.type, msg.payload);
    return { msg };
  }
  const ref = actor.nextRef();
  const payload = { ...(msg.payload as Record<string, unknown>), ref };
  actor.send(msg.type, payload);
  return { msg, ref, seen: asServerSees(payload) };
}

/** The room still answers this actor (a real intent, always refused: no state change). */
async function expectAlive(actor: Actor) {
  const r = await actor.rec.ask("stake", { subnet: 1, tao: "-1" }, 3000);
  expectRefusal(r);
  expect(actor.open, `${actor.label} still connected`).toBe(true);
}

const FUZZ_RUNS = Number(process.env.ABUSE_FUZZ_RUNS ?? 20);
const fuzzOptions = { numRuns: FUZZ_RUNS, endOnFailure: true } as const;

describe("fuzzing every handler", () => {
  for (const phase of PHASES) {
    it(`player, builder, validator and spectator batches in the ${phase} phase: answered, state changed only by accepted intents`, async () => {
      const t = await table(phase);
      const ids = [t.victim.playerId, t.staker.playerId, t.validator.playerId];
      const victimAccount = () => canonicalJson(engine(t.code).players[t.victim.playerId]);
      const victimBefore = victimAccount();
      let accepted = 0;
      let refused = 0;
      await fc.assert(fc.asyncProperty(
        fc.constantFrom("staker", "builder", "validator", "spectator"),
        fc.array(fuzzMessage(ids), { minLength: 1, maxLength: 10 }),
        async (who, messages) => {
          const actor = t[who as "staker" | "builder" | "validator" | "spectator"];
          const before = engine(t.code);
          const start = actor.resultCount();
          const sent = messages.map((m) => sendFuzz(actor, m));
          const results = (await actor.waitResults(start + sent.length)).slice(start);
          await expectAlive(actor);
          // Exactly one result per message (the probe's is the only extra).
          expect(actor.results(start).length).toBe(sent.length + 1);
          const byRef = new Map<string, Result>();
          for (const r of results) {
            expect(typeof r.type).toBe("string");
            if (typeof r.ref === "string") {
              expect(byRef.has(r.ref), `duplicate result for ${r.ref}`).toBe(false);
              byRef.set(r.ref, r);
            }
          }
          for (const s of sent) if (s.ref) expect(byRef.has(s.ref), `no result for ${s.ref} (${String(s.msg.type)})`).toBe(true);
          // Ref-less messages (non-object payloads) can never be an accepted intent.
          const refless = results.filter((r) => r.ref === undefined);
          expect(refless.length).toBe(sent.filter((s) => !s.ref).length);
          for (const r of refless) expectRefusal(r);
          // Replay what was accepted, in send order, on the state before: it must give the state after.
          let expected = before;
          for (const s of sent) {
            const r = s.ref ? byRef.get(s.ref)! : undefined;
            if (!r) continue;
            if (!r.ok) { expectRefusal(r); refused++; continue; }
            expect(who, "a spectator's message was accepted").not.toBe("spectator");
            expect(INTENT_TYPES as readonly string[]).toContain(String(s.msg.type));
            const { ref: _ref, ...fields } = s.seen as Record<string, unknown>;
            const replayed = applyAction(expected, actor.playerId, { ...fields, type: String(s.msg.type) });
            expect(replayed.ok, `server accepted ${String(s.msg.type)} ${fc.stringify(fields).slice(0, 200)}, engine refuses`).toBe(true);
            if (replayed.ok) expected = replayed.state;
            accepted++;
          }
          refused += refless.length;
          expect(stateHash(engine(t.code))).toBe(stateHash(expected));
          expect(victimAccount(), "someone acted for the victim").toBe(victimBefore);
          expectAudit(t.code);
        },
      ), fuzzOptions);
      for (const a of [t.host, t.staker, t.builder, t.validator, t.victim, t.spectator]) expect(a.open, `${a.label} still connected`).toBe(true);
      expect(refused).toBeGreaterThan(0);
      // Acting is the phase where the near-valid payloads get through.
      if (phase === "acting") expect(accepted).toBeGreaterThan(0);
    });
  }

  for (const phase of PHASES) {
    it(`host messages one at a time from the ${phase} phase: refusals never change the state`, async () => {
      const t = await table(phase);
      const ids = [t.victim.playerId, t.staker.playerId, t.validator.playerId];
      let refusedCount = 0;
      await fc.assert(fc.asyncProperty(fc.array(fuzzMessage(ids), { minLength: 1, maxLength: 6 }), async (messages) => {
        for (const m of messages) {
          const before = stateHash(engine(t.code));
          const start = t.host.resultCount();
          const s = sendFuzz(t.host, m);
          const [r] = (await t.host.waitResults(start + 1)).slice(start);
          if (s.ref) expect(r.ref).toBe(s.ref);
          if (!r.ok) {
            expectRefusal(r);
            refusedCount++;
            expect(stateHash(engine(t.code)), `refused ${String(m.type)} changed the state`).toBe(before);
          } else {
            // The host acts through host:* (or "*" carrying a host:* name); intents are for players.
            expect(String(r.type).startsWith("host:"), `host got ok for ${r.type}`).toBe(true);
          }
          expectAudit(t.code);
        }
        const probe = await t.host.rec.ask("host:probe", {}, 3000);
        expect(probe.code).toBe("action/unknown_type");
        expect(t.host.open).toBe(true);
      }), fuzzOptions);
      expect(refusedCount).toBeGreaterThan(0);
    });
  }
});

describe("host-only messages", () => {
  it("every host:* message from a player or a spectator gets role/forbidden and changes nothing", async () => {
    const t = await table("acting");
    const payloads: Record<string, Record<string, unknown>> = {
      "host:extend": { seconds: 60 }, "host:kick": { playerId: t.victim.playerId }, "host:bots": { count: 2, strategy: "noise" },
      "host:config": { rounds: 5 }, "host:ruleset": { ruleset: "dtao-flow" }, "host:shock": { kind: "exploit", subnet: 1 },
      "host:assignRole": { playerId: t.victim.playerId, role: "staker" },
    };
    const before = stateHash(engine(t.code));
    const deadline = liveRoom(t.code).state.deadline;
    for (const actor of [t.staker, t.builder, t.validator, t.spectator]) {
      for (const type of [...HOST_MESSAGES, "host:", "host:nope", "host:__proto__"]) {
        const r = await actor.rec.ask(type, { ...payloads[type], hostToken: t.hostToken });
        expect(r, `${actor.label} ${type}`).toMatchObject({ ok: false, code: "role/forbidden", type });
      }
      // The "*" type makes Colyseus hand the payload over as the type: still not the host.
      const start = actor.resultCount();
      actor.send("*", "host:end");
      const [r] = (await actor.waitResults(start + 1)).slice(start);
      expect(r).toMatchObject({ ok: false, code: "role/forbidden", type: "host:end" });
    }
    expect(stateHash(engine(t.code))).toBe(before);
    const room = liveRoom(t.code);
    expect(room.roomPhase).toBe("acting");
    expect(room.state.deadline).toBe(deadline);
    expect(room.state.players.size).toBe(4);
    expect(t.victim.open).toBe(true);
    // The real host still can.
    await ok(t.host, "host:pause");
  });

  it("a player cannot act for another player: identity fields are refused as malformed", async () => {
    const t = await table("acting");
    const me = t.staker.playerId;
    const victim = t.victim.playerId;
    const accounts = () => ({ me: canonicalJson(engine(t.code).players[me]), victim: canonicalJson(engine(t.code).players[victim]) });
    const start = accounts();
    const attempts: [string, Record<string, unknown>][] = [
      ["stake", { subnet: 1, tao: "10" }], ["unstake", { subnet: 1, alpha: "1" }], ["stakeRoot", { tao: "10" }],
      ["unstakeRoot", { tao: "1" }], ["setRootClaim", { mode: "keep" }], ["setEffort", { research: 0.5, product: 0.5 }],
      ["setTake", { take: "0.1" }], ["setWeights", { subnet: 1, weights: { "0": 1 } }], ["setRole", { role: "spectator" }],
      ["registerSubnet", { name: "Stolen" }],
    ];
    for (const [type, fields] of attempts) {
      for (const key of ["playerId", "player", "id", "actor", "from", "seat", "sessionId", "as"]) {
        for (const actor of [t.staker, t.validator]) {
          const r = await actor.rec.ask(type, { ...fields, [key]: victim });
          expect(r, `${actor.label} ${type} with ${key}`).toMatchObject({ ok: false, code: "action/malformed" });
        }
      }
    }
    expect(accounts()).toEqual(start);
    // Engine-only action names are not messages: nobody joins, starts or ends through them.
    for (const type of ["join", "start", "end", "configure", "setRuleset", "shock"]) {
      const r = await t.staker.rec.ask(type, { name: "Clone", role: "staker", playerId: victim });
      expect(r, type).toMatchObject({ ok: false, code: "action/unknown_type" });
    }
    // A payload `type` cannot re-route a message either: the message type wins.
    const rerouted = await t.staker.rec.ask("setRootClaim", { type: "stake", mode: "keep" });
    expect(rerouted).toMatchObject({ ok: true, type: "setRootClaim" });
    // Delegating through the victim is the staker's own trade: the victim's account is untouched.
    expect((await t.staker.rec.ask("stakeRoot", { tao: "10", validator: victim })).ok).toBe(true);
    const after = accounts();
    expect(after.victim).toBe(start.victim);
    expect(after.me).not.toBe(start.me);
    expect(engine(t.code).players[me].stakes["0"]?.[victim]).toBe("10");
    expectAudit(t.code);
  });
});

describe("rate limit", () => {
  it("200 messages at once: some are refused with rate/limited, the client stays, others are answered", async () => {
    useLimits(DEFAULT_RATE_LIMIT);
    try {
      const t = await table("acting");
      const start = t.staker.resultCount();
      for (let i = 0; i < 200; i++) t.staker.send("setRootClaim", { mode: i % 2 ? "keep" : "swap", ref: `burst-${i}` });
      const results = (await t.staker.waitResults(start + 200)).slice(start);
      const limited = results.filter((r) => r.code === "rate/limited");
      const accepted = results.filter((r) => r.ok);
      expect(limited.length).toBeGreaterThan(0);
      expect(accepted.length).toBeGreaterThanOrEqual(DEFAULT_RATE_LIMIT.burst);
      expect(limited.length + accepted.length).toBe(200);
      for (const r of limited) expect(r.ref).toMatch(/^burst-\d+$/);
      // Fewer refusals than the abuse threshold: a burst is not a disconnect.
      expect(limited.length).toBeLessThan(DEFAULT_RATE_LIMIT.abuseRefusals);
      expect((await t.builder.rec.ask("setEffort", { research: 0.7, product: 0.3 })).ok).toBe(true);
      await sleep(100);
      expect(t.staker.open).toBe(true);
      expectAudit(t.code);
    } finally {
      useLimits(GENEROUS);
    }
  });

  it("sustained flooding is disconnected with 4429 while another client's intents keep being answered", async () => {
    useLimits({ rate: 5, burst: 10, abuseRefusals: 60, windowMs: 5000 });
    try {
      const t = await table("acting");
      const flooder = t.staker;
      const honest = t.builder;
      let flooding = true;
      const flood = (async () => {
        for (let i = 0; flooding && flooder.open; i++) {
          for (let k = 0; k < 25; k++) flooder.send("stake", { subnet: 1, tao: "1", ref: `flood-${i}-${k}` });
          await sleep(10);
        }
      })();
      const honestResults: Result[] = [];
      for (let i = 0; i < 6; i++) {
        honestResults.push(await honest.rec.ask("stake", { subnet: 2, tao: "1" }, 3000));
        await sleep(250);
      }
      const code = await flooder.waitClosed(5000);
      flooding = false;
      await flood;
      expect(code).toBe(CLOSE_CODES.abuse);
      expect(flooder.results().some((r) => r.code === "rate/limited")).toBe(true);
      expect(honestResults.map((r) => r.ok)).toEqual(honestResults.map(() => true));
      // And after the flooder is gone.
      expect((await honest.rec.ask("stake", { subnet: 2, tao: "1" })).ok).toBe(true);
      expect((await t.host.rec.ask("host:extend", { seconds: 10 })).ok).toBe(true);
      expect(honest.open && t.host.open && t.victim.open).toBe(true);
      expectAudit(t.code);
    } finally {
      useLimits(GENEROUS);
    }
  });
});

describe("frames", () => {
  it(`a frame over the ${MAX_PAYLOAD_BYTES}-byte cap closes only that socket (1009); one under it is answered`, async () => {
    const t = await table("acting");
    const near = await t.staker.rec.ask("stake", { subnet: 1, tao: "1", pad: stringOfBytes("x", MAX_PAYLOAD_BYTES - 512) });
    expect(near).toMatchObject({ ok: false, code: "action/malformed" });
    t.staker.send("stake", { subnet: 1, tao: "1", pad: stringOfBytes("x", MAX_PAYLOAD_BYTES + 512) });
    expect(await t.staker.waitClosed(3000)).toBe(1009);
    // Same through a raw frame from another client.
    t.spectator.sendFrame(roomDataFrame("stake", { pad: stringOfBytes("é", MAX_PAYLOAD_BYTES * 2) }));
    expect(await t.spectator.waitClosed(3000)).toBe(1009);
    expect(liveRoom(t.code)).toBeDefined();
    expect((await t.builder.rec.ask("stake", { subnet: 1, tao: "1" })).ok).toBe(true);
    expect((await t.host.rec.ask("host:extend", { seconds: 5 })).ok).toBe(true);
    expect(t.builder.open && t.validator.open && t.host.open).toBe(true);
    expectAudit(t.code);
  });

  it("message types up to 8 KB (hand-encoded frames) are answered with the full type echoed", async () => {
    const t = await table("acting");
    for (const [unit, bytes] of [["x", 255], ["x", 256], ["é", 1000], ["stake", 4000], ["host:", 8000], ["🙂", 8000]] as const) {
      const type = stringOfBytes(unit, bytes);
      for (const actor of [t.staker, t.host]) {
        const start = actor.resultCount();
        actor.sendFrame(roomDataFrame(type, { ref: `long-${bytes}` }));
        const [r] = (await actor.waitResults(start + 1)).slice(start);
        expect(r.type).toBe(type);
        expect(r.ref).toBe(`long-${bytes}`);
        expect(r.code).toBe(type.startsWith("host:") ? (actor === t.host ? "action/unknown_type" : "role/forbidden") : "action/unknown_type");
        expect(actor.open).toBe(true);
      }
    }
  });

  it("corrupt frames and Colyseus' internal handler name disconnect only the sender (4002) or are ignored", async () => {
    const t = await table("acting");
    const before = stateHash(engine(t.code));
    const deep = new Uint8Array([13, 0xa5, ...Buffer.from("stake"), ...new Array<number>(12_000).fill(0x91), 0xc0]);
    const frames: [string, (a: Actor) => void][] = [
      ["ROOM_DATA and nothing else", (a) => a.sendFrame(new Uint8Array([13]))],
      ["string length past the end", (a) => a.sendFrame(new Uint8Array([13, 0xd9, 200, 65]))],
      ["never-used msgpack byte", (a) => a.sendFrame(new Uint8Array([13, 0xa1, 65, 0xc1]))],
      ["map header claiming 4 billion entries", (a) => a.sendFrame(new Uint8Array([13, 0xa5, ...Buffer.from("stake"), 0xdf, 0xff, 0xff, 0xff, 0xff]))],
      ["unknown protocol code", (a) => a.sendFrame(new Uint8Array([99, 1, 2]))],
      ["empty frame", (a) => a.sendFrame(new Uint8Array([]))],
      ["payload nested 12 000 deep", (a) => a.sendFrame(deep)],
      ["a 300-byte type through colyseus.js (it corrupts the frame)", (a) => a.send("y".repeat(300), { ref: "corrupt" })],
      ["type __no_message_handler", (a) => a.send("__no_message_handler", { ref: "internal" })],
    ];
    for (const [what, sendIt] of frames) {
      const actor = await Actor.join(server.url, t.code, { role: "spectator" }, "garbage");
      const startResults = actor.resultCount();
      sendIt(actor);
      await sleep(80);
      if (actor.open) {
        // Ignored or answered; either way the connection still works.
        expect(actor.results(startResults).every((r) => !r.ok), what).toBe(true);
        await expectAlive(actor);
        await actor.room.leave();
      } else {
        expect(actor.closeCode, what).toBe(4002);
      }
      await expectAlive(t.staker);
      expect(t.host.open, `host still connected after ${what}`).toBe(true);
    }
    await until(() => liveRoom(t.code).clients.length === 6, 3000, "only the table's clients remain");
    expect(stateHash(engine(t.code))).toBe(before);
    expectAudit(t.code);
  });

  it('a "*"-typed message whose payload has no usable toString is answered, not an uncaught exception', async () => {
    // Colyseus passes a "*"-typed message to the catch-all handler as (client, payload); the room
    // used to String() that payload, which throws for { toString: 1 } inside the ws listener.
    const t = await table("acting");
    for (const payload of [{ toString: 1 }, { valueOf: "x", toString: null }, { toString: {} }, [Symbol.iterator.toString()], "stake", 7]) {
      const start = t.spectator.resultCount();
      t.spectator.send("*", payload);
      t.spectator.send("stake", { subnet: 1, tao: "1", ref: "next" });
      const [first, second] = (await t.spectator.waitResults(start + 2)).slice(start);
      expectRefusal(first);
      expect(second).toMatchObject({ ref: "next", code: "role/forbidden" });
    }
    expect(t.spectator.open).toBe(true);
    await expectAlive(t.staker);
  });

  it("odd refs are tolerated: long, non-string or nested refs still get a result (without the ref)", async () => {
    const t = await table("acting");
    for (const ref of ["x".repeat(65), { nested: true }, [1, 2], null, Number.NaN, 1.5, -0, "ok-ref"]) {
      const start = t.staker.resultCount();
      t.staker.send("setEffort", { research: 2, product: -1, ref });
      const [r] = (await t.staker.waitResults(start + 1)).slice(start);
      expectRefusal(r);
      if (typeof ref === "string" && ref.length <= 64) expect(r.ref).toBe(ref);
      else if (typeof ref === "number" && Number.isFinite(ref)) expect(r.ref).toBe(ref + 0); // msgpack has no -0
      else expect(r.ref).toBeUndefined();
    }
    expect(t.staker.open).toBe(true);
  });
});
