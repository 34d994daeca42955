/**
 * Slow and hostile clients (docs/reliability.md, "Hostile clients"): the short version of
 * `npm run faults -- hostile`. 30 honest players in 2 sessions play against the real server (a
 * child process, MAX_BUFFERED_KB=256 so the stuck reader reaches the limit sooner), first alone,
 * then with every hostile client at once in the first session: one that never reads, one that
 * never reads but answers pings and asks for large replies, a flooder, a sender of 1 MB frames and
 * a sender of garbage. Each must be limited or dropped, and the honest players must be answered
 * throughout, none disconnected.
 */
import { describe, expect, it } from "vitest";
import { runHostile } from "../scripts/faults/hostile.js";
import { freePort } from "./support/ports.js";

/** This file's ports (test/faults.*.test.ts use 4761–4800). */
const PORTS: [number, number] = [4786, 4795];

describe("npm run faults -- hostile (short)", () => {
  it("non-readers are dropped, floods limited then cut, big frames and garbage closed; honest players keep being answered", async () => {
    const r = await runHostile({
      rooms: 2, players: 15, rate: 1, advanceSeconds: 4, phaseSeconds: 3, readerSeconds: 20, phases: ["baseline", "all"],
      maxBufferedKb: 256, echoKb: 15, echoPerSecond: 30, port: await freePort(...PORTS), seed: 3,
    });
    const text = JSON.stringify(r, null, 1);
    expect(r.errors, text).toEqual([]);
    expect(r.serverAlive, text).toBe(true);
    const [baseline, all] = r.phases;
    for (const ph of [baseline, all]) {
      expect(ph.honest.sent, text).toBeGreaterThan(0);
      expect(ph.honest.answered, `${ph.phase}: every honest intent answered\n${text}`).toBe(ph.honest.sent);
      expect(ph.honestDisconnects, text).toBe(0);
      // Only the game's own refusals (a stale view, an intent racing the round's end), never the rate limit or an error.
      expect(Object.keys(ph.honest.refused).filter((c) => c.startsWith("rate/") || c.startsWith("server/") || c.startsWith("store/")), text).toEqual([]);
    }
    // Not stalled: generous, because this machine is shared (docs/reliability.md has the measured figures).
    expect(all.honest.max ?? Infinity, text).toBeLessThan(5000);

    const kind = (k: string) => all.attackers.find((a) => a.kind === k)!;
    // Never reads, no pongs: the ping timeout (3 s x 2) drops it.
    expect(kind("nonReader").droppedAfterMs.length, text).toBe(1);
    // Never reads but answers pings: only the buffered-bytes limit drops it, logged with what was queued.
    expect(kind("stuckReader").droppedAfterMs.length, text).toBe(1);
    expect(all.droppedNotReading.length, text).toBeGreaterThanOrEqual(1);
    for (const d of all.droppedNotReading) expect(d.bufferedBytes, text).toBeGreaterThan(256 * 1024);
    // The flooder is told to go (4429) on every connection, and the room logs it once per connection.
    const flooder = kind("flooder");
    expect(flooder.closes["4429"] ?? 0, text).toBeGreaterThanOrEqual(1);
    expect(all.floodDisconnects, text).toBeLessThanOrEqual(flooder.connections);
    // Every 1 MB frame closes its socket (1009, the 16 KB frame cap).
    const big = kind("bigFrames");
    expect(big.sent, text).toBeGreaterThan(0);
    expect(big.closes, text).toEqual({ 1009: big.sent });
    // Garbage: refused at HTTP (400), closed (4002), or ignored; never left hanging.
    const garbage = kind("garbage");
    expect(garbage.connections, text).toBeGreaterThan(0);
    for (const outcome of Object.keys(garbage.closes)) expect(outcome, text).toMatch(/400 Bad Request|close 400[02]|still open \(ignored\)/);
  }, 90_000);
});
