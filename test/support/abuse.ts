/**
 * Helpers for the abuse tests: a websocket actor that counts its `result`s and its close code,
 * a hand-built ROOM_DATA frame (for types colyseus.js cannot encode), and fast-check arbitraries
 * for hostile messages.
 */
import { Buffer } from "node:buffer";
import { createServer } from "node:net";
import fc from "fast-check";
import { pack, unpack } from "@colyseus/msgpackr";
import { matchMaker } from "@colyseus/core";
import { Protocol, type Room } from "colyseus.js";
import { HOST_MESSAGES, INTENT_TYPES, ROLES, SHOCK_KINDS, BOT_STRATEGIES, RULESET_NAMES, SCENARIO_NAMES } from "../../shared/index.js";
import type { MarketRoom } from "../../server/room/MarketRoom.js";
import { client, Recorder, type Result, sleep } from "./server.js";

/**
 * The first free port of a file's own list, so the same file run twice at once (two people's
 * `vitest run`) does not fail with EADDRINUSE. Probes with a throwaway listener on 127.0.0.1.
 */
export async function firstFreePort(candidates: readonly number[]): Promise<number> {
  for (const port of candidates) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port among ${candidates.join(", ")}`);
}

/** The live room behind a session code (same process). */
export function liveRoom(code: string): MarketRoom {
  const room = matchMaker.getLocalRoomById(code) as MarketRoom | undefined;
  if (!room) throw new Error(`no live room ${code}`);
  return room;
}

/** One websocket seat: its messages, its `result`s in arrival order, and how it was closed. */
export class Actor {
  readonly rec: Recorder;
  closeCode: number | undefined;
  playerId = "";
  private n = 0;
  constructor(readonly label: string, readonly room: Room) {
    this.rec = new Recorder(room);
    room.onLeave((code) => { this.closeCode = code; });
  }

  static async join(url: string, code: string, options: Record<string, unknown>, label: string): Promise<Actor> {
    const actor = new Actor(label, await client(url).joinById(code, options));
    actor.playerId = (await actor.rec.waitFor<{ playerId: string }>("seat")).playerId;
    return actor;
  }

  get open(): boolean {
    return this.closeCode === undefined && this.room.connection.isOpen;
  }

  results(from = 0): Result[] {
    const out: Result[] = [];
    for (const m of this.rec.messages) if (m.type === "result") out.push(m.message as Result);
    return out.slice(from);
  }

  resultCount(): number {
    let k = 0;
    for (const m of this.rec.messages) if (m.type === "result") k++;
    return k;
  }

  /** A fresh ref for a fuzz message. */
  nextRef(): string {
    return `${this.label}-${++this.n}`;
  }

  /** colyseus.js `room.send`, which cannot take a `ref` on non-object payloads. */
  send(type: string | number, payload?: unknown): void {
    if (payload === undefined) this.room.send(type as string);
    else this.room.send(type as string, payload);
  }

  /** A raw websocket frame (bypasses colyseus.js encoding). */
  sendFrame(bytes: Uint8Array): void {
    this.room.connection.send(bytes);
  }

  /** Wait until `count` results have arrived in total; then a short settle to catch extras. */
  async waitResults(count: number, timeoutMs = 5000): Promise<Result[]> {
    const start = Date.now();
    while (this.resultCount() < count) {
      if (Date.now() - start > timeoutMs) {
        throw new Error(`${this.label}: ${this.resultCount()} of ${count} results after ${timeoutMs} ms (closed: ${this.closeCode})`);
      }
      await sleep(2);
    }
    return this.results();
  }

  async waitClosed(timeoutMs = 5000): Promise<number> {
    const start = Date.now();
    while (this.closeCode === undefined) {
      if (Date.now() - start > timeoutMs) throw new Error(`${this.label}: still open after ${timeoutMs} ms`);
      await sleep(5);
    }
    return this.closeCode;
  }
}

// ------------------------------------------------------------------------------- raw frames

/**
 * A ROOM_DATA frame encoded by hand: [13, type as a msgpack-style string, msgpack payload].
 * @colyseus/schema reads string lengths little-endian (str16/str32), so this writes them that way.
 * Needed because colyseus.js 0.16.22 `room.send` corrupts the frame when the type is 255 UTF-8
 * bytes or longer (`length % 255` for str8, and the type offset leaks into msgpackr's pack flags).
 */
export function roomDataFrame(type: string, payload?: unknown): Uint8Array {
  const typeBytes = Buffer.from(type, "utf8");
  let head: number[];
  if (typeBytes.length < 32) head = [0xa0 | typeBytes.length];
  else if (typeBytes.length < 0x10000) head = [0xda, typeBytes.length & 0xff, typeBytes.length >> 8];
  else head = [0xdb, typeBytes.length & 0xff, (typeBytes.length >> 8) & 0xff, (typeBytes.length >> 16) & 0xff, typeBytes.length >>> 24];
  const body = payload === undefined ? Buffer.alloc(0) : pack(payload);
  return Buffer.concat([Buffer.from([Protocol.ROOM_DATA, ...head]), typeBytes, body]);
}

/** What the server's msgpack decoder makes of a payload the client packs. */
export function asServerSees<T>(payload: T): unknown {
  return payload === undefined ? undefined : unpack(pack(payload));
}

/** A string of about `bytes` UTF-8 bytes made of `unit`. */
export function stringOfBytes(unit: string, bytes: number): string {
  const size = Buffer.byteLength(unit, "utf8");
  return unit.repeat(Math.max(1, Math.floor(bytes / size)));
}

// ------------------------------------------------------------------------------- arbitraries

/** Keys that try to confuse a handler: prototype names, identity fields, the message's own type and ref. */
export const HOSTILE_KEYS = [
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "type", "ref",
  "playerId", "player", "id", "actor", "from", "seat", "sessionId", "role", "host", "hostToken", "npc",
] as const;

/** A message as a fuzz case: a type, a payload, and whether the payload is a plain object (so it can carry a ref). */
export interface FuzzMessage {
  type: string | number;
  payload: unknown;
  plain: boolean;
}

/** ~1–8 KB strings: ASCII, 2- and 4-byte UTF-8, NULs, markup. */
export const hugeString = fc.tuple(fc.integer({ min: 1024, max: 8 * 1024 }), fc.constantFrom("x", "é", "🙂", "\u0000", "<img src=x onerror=alert(1)>", "0"))
  .map(([bytes, unit]) => stringOfBytes(unit, bytes));

const shortString = fc.string({ maxLength: 24, unit: "grapheme" });

export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 4096, 4097, 2 ** 31, 2 ** 53, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 1e-12),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  shortString,
  fc.constantFrom("1", "-1", "0", "1e9", "NaN", "Infinity", "0x10", " 1", "1.0000000001", "999999999.999999999", "", "0.000000001", "abc"),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.date({ noInvalidDate: true }),
);

/** Nested objects and arrays (small), with hostile keys among the random ones. */
export const nested: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 3,
  maxKeys: 5,
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_KEYS)),
  values: [scalar],
  withDate: true,
  withTypedArray: true,
});

const knownId = (ids: readonly string[]) => fc.oneof(fc.constantFrom(...ids, "@host", "@miners", "npc:v1", "", "p_missing"), shortString);
const subnet = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) }, { weight: 1, arbitrary: scalar });
const amount = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("1", "0.5", "10", "25", "3.25", "0.123456789") },
  { weight: 3, arbitrary: fc.constantFrom("0", "-1", "abc", "1e3", "0.0000000001", "999999999", "1.5.5", "", " 2", "100000", "0.000000001", "1,5", "+1", "1_000") },
  { weight: 1, arbitrary: scalar },
  { weight: 1, arbitrary: hugeString },
);
const fraction = fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), scalar);

/** Payloads that are well-formed for the type (they may still be refused: phase, role, balance). */
function wellFormed(type: string, ids: readonly string[]): fc.Arbitrary<Record<string, unknown>> | null {
  const net = fc.integer({ min: 1, max: 8 });
  const small = fc.constantFrom("1", "2.5", "10", "0.75");
  switch (type) {
    case "stake": return fc.record({ subnet: net, tao: small });
    case "unstake": return fc.record({ subnet: net, alpha: fc.constantFrom("0.1", "0.5", "1") });
    case "stakeRoot": return fc.record({ tao: small });
    case "unstakeRoot": return fc.record({ tao: fc.constantFrom("0.1", "0.5") });
    case "registerSubnet": return fc.record({ name: fc.string({ minLength: 1, maxLength: 20, unit: "grapheme-ascii" }) });
    case "setEffort": return fc.integer({ min: 0, max: 100 }).map((r) => ({ research: r / 100, product: (100 - r) / 100 }));
    case "setWeights": return fc.record({ subnet: fc.integer({ min: 0, max: 8 }), weights: fc.dictionary(fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7"), fc.double({ min: 0.01, max: 5, noNaN: true }), { minKeys: 1, maxKeys: 4, noNullPrototype: true }) });
    case "setTake": return fc.record({ take: fc.constantFrom("0", "0.05", "0.18") });
    case "setRootClaim": return fc.record({ mode: fc.constantFrom("swap", "keep") });
    case "setRole": return fc.record({ role: fc.constantFrom(...ROLES) });
    case "host:extend": return fc.record({ seconds: fc.integer({ min: 1, max: 600 }) });
    case "host:kick": return fc.record({ playerId: fc.constantFrom(...ids) });
    case "host:bots": return fc.record({ count: fc.integer({ min: 1, max: 2 }), strategy: fc.constantFrom(...BOT_STRATEGIES) });
    case "host:config": return fc.record({ rounds: fc.integer({ min: 2, max: 40 }), ruleset: fc.constantFrom(...RULESET_NAMES) }, { requiredKeys: [] });
    case "host:ruleset": return fc.record({ ruleset: fc.constantFrom(...RULESET_NAMES) });
    case "host:shock": return fc.record({ kind: fc.constantFrom(...SHOCK_KINDS), subnet: net }, { requiredKeys: ["kind"] });
    case "host:assignRole": return fc.record({ playerId: fc.constantFrom(...ids), role: fc.constantFrom("builder", "staker", "validator") });
    default: return null;
  }
}

/** Required fields only (mostly), or with the optional ones too. */
function withOptional(required: Record<string, fc.Arbitrary<unknown>>, optional: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record(required) },
    { weight: 1, arbitrary: fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) as never }) },
  ) as fc.Arbitrary<Record<string, unknown>>;
}

/** Payloads that look like the real thing for each type (so some are accepted and deeper checks run). */
function nearValid(type: string, ids: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  switch (type) {
    case "stake":
      return withOptional({ subnet, tao: amount }, { limitPrice: amount, allowPartial: fc.oneof(fc.boolean(), scalar), validator: knownId(ids) });
    case "unstake":
      return withOptional({ subnet, alpha: amount }, { limitPrice: amount, allowPartial: fc.boolean(), validator: knownId(ids) });
    case "stakeRoot":
    case "unstakeRoot":
      return withOptional({ tao: amount }, { validator: knownId(ids) });
    case "registerSubnet":
      return fc.record({ name: fc.oneof({ weight: 4, arbitrary: shortString }, { weight: 1, arbitrary: hugeString }, { weight: 1, arbitrary: scalar }) });
    case "setEffort":
      return fc.record({ research: fraction, product: fraction });
    case "setWeights":
      return fc.record({
        subnet,
        weights: fc.oneof(
          { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom("0", "1", "2", "3", "7", "63", "-1", "x"), fc.string({ maxLength: 10 })), fraction, { maxKeys: 8, noNullPrototype: true }) },
          { weight: 1, arbitrary: scalar },
        ),
      });
    case "setTake":
      return fc.record({ take: fc.oneof(fc.constantFrom("0", "0.1", "0.18", "1", "2", "-0.1"), amount) });
    case "setRootClaim":
      return fc.record({ mode: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("swap", "keep", "both") }, { weight: 1, arbitrary: scalar }) });
    case "setRole":
      return fc.record({ role: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ROLES, "host", "admin", "npc") }, { weight: 1, arbitrary: scalar }) });
    case "host:extend":
      return fc.record({ seconds: fc.oneof(fc.integer({ min: -5, max: 4000 }), scalar) });
    case "host:kick":
      return fc.record({ playerId: knownId(ids) });
    case "host:bots":
      return withOptional({ count: fc.oneof(fc.integer({ min: -1, max: 3 }), scalar) }, { strategy: fc.oneof(fc.constantFrom(...BOT_STRATEGIES, "evil"), scalar) });
    case "host:config":
      // Valid durations stay long, so no round timer fires while the fuzz compares states.
      return fc.record({
        scenario: fc.oneof(fc.constantFrom(...SCENARIO_NAMES, "dtao-launch"), scalar),
        ruleset: fc.oneof(fc.constantFrom(...RULESET_NAMES), scalar),
        rounds: fc.oneof(fc.integer({ min: -1, max: 250 }), scalar),
        roundSeconds: fc.oneof(fc.integer({ min: 600, max: 3600 }), fc.constantFrom(0, 5, 4000), scalar),
      }, { requiredKeys: [] });
    case "host:ruleset":
      return fc.record({ ruleset: fc.oneof(fc.constantFrom(...RULESET_NAMES, "chaos"), scalar) });
    case "host:shock":
      return withOptional({ kind: fc.oneof(fc.constantFrom(...SHOCK_KINDS, "meteor"), scalar) }, { subnet });
    case "host:assignRole":
      return fc.record({ playerId: knownId(ids), role: fc.oneof(fc.constantFrom(...ROLES, "host"), scalar) });
    default:
      return fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_KEYS)), scalar, { maxKeys: 4 });
  }
}

/** Add a hostile field, drop one, or swap one for a wrong type. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("extra" as const), key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })), value: fc.oneof(scalar, nested) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retype" as const), index: fc.nat(), value: fc.oneof(scalar, nested) }) },
);

type Mutation = { kind: "none" } | { kind: "extra"; key: string; value: unknown } | { kind: "drop"; index: number } | { kind: "retype"; index: number; value: unknown };

function mutate(base: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  const keys = Object.keys(out);
  if (m.kind === "extra") Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  else if (m.kind === "drop" && keys.length > 0) delete out[keys[m.index % keys.length]];
  else if (m.kind === "retype" && keys.length > 0) out[keys[m.index % keys.length]] = m.value;
  return out;
}

/** Message types: the real ones, host:* (known and not), engine-only names, prototype names, junk, long, numeric. */
export const messageType: fc.Arbitrary<string | number> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...INTENT_TYPES) },
  { weight: 3, arbitrary: fc.constantFrom(...HOST_MESSAGES) },
  {
    weight: 2, arbitrary: fc.constantFrom(
      "*", "", "join", "start", "end", "configure", "shock", "setRuleset", "result", "seat", "signals", "__proto__",
      "constructor", "toString", "hasOwnProperty", "host:", "host:__proto__", "host:constructor", "HOST:start", "stake ",
      "Stake", "host:start\u0000", "host:hack", "host:kick ", "\u0000", "__playground_message_types",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "grapheme" }).filter((s) => Buffer.byteLength(s) < 255 && s !== "__no_message_handler") },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `host:${s}`) },
  // colyseus.js can only encode types under 255 bytes; longer ones go through roomDataFrame.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 250 }), fc.constantFrom("x", "host:", "stake")).map(([n, u]) => u.repeat(Math.ceil(n / u.length)).slice(0, n)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 32 }), fc.constantFrom(0, 1, -1, 0.5, 13)) },
);

/** One hostile message; `ids` are player ids worth aiming at (the victim, the sender itself). */
export function fuzzMessage(ids: readonly string[]): fc.Arbitrary<FuzzMessage> {
  return messageType.chain((type) => {
    const t = String(type);
    const plain = fc.tuple(nearValid(t, ids), mutation).map(([base, m]) => ({ type, payload: mutate(base, m), plain: true }));
    const generic = fc.oneof(
      { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_KEYS)), fc.oneof(scalar, nested), { maxKeys: 5 }).map((p) => ({ type, payload: p as unknown, plain: true })) },
      { weight: 2, arbitrary: scalar.map((p) => ({ type, payload: p, plain: false })) },
      { weight: 1, arbitrary: hugeString.map((p) => ({ type, payload: p as unknown, plain: false })) },
      { weight: 1, arbitrary: fc.array(fc.oneof(scalar, nested), { maxLength: 6 }).map((p) => ({ type, payload: p as unknown, plain: false })) },
      { weight: 1, arbitrary: nested.map((p) => ({ type, payload: p, plain: isPlainObject(p) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((p) => ({ type, payload: p as unknown, plain: false })) },
    );
    const good = wellFormed(t, ids);
    return good
      ? fc.oneof({ weight: 2, arbitrary: good.map((p) => ({ type, payload: p as unknown, plain: true })) }, { weight: 3, arbitrary: plain }, { weight: 2, arbitrary: generic })
      : fc.oneof({ weight: 3, arbitrary: plain }, { weight: 2, arbitrary: generic });
  });
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype;
}
