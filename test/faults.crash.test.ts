/**
 * Crash under load (docs/reliability.md, "Crash"): the short version of `npm run faults -- crash`.
 * The real server in a child process, 2 sessions × 15 players trading and hosts advancing rounds,
 * `kill -9` in an acting phase with a burst of intents in flight, a restart on the same data folder:
 * every session comes back in the same round with the same deadline, every player gets its own seat
 * back with its seat token, every acknowledged intent is in the log and nothing refused or unsent
 * is, and play goes on.
 */
import { describe, expect, it } from "vitest";
import { runCrash } from "../scripts/faults/crash.js";
import { freePort } from "./support/ports.js";

/** This file's ports (test/faults.*.test.ts use 4761–4800). */
const PORTS: [number, number] = [4776, 4785];

describe("npm run faults -- crash (short)", () => {
  it("kill -9 under load mid acting phase: every session, seat and acknowledged intent comes back; nothing is invented", async () => {
    const r = await runCrash({ rooms: 2, players: 15, loadSeconds: 5, afterSeconds: 1, rate: 1, advanceSeconds: 2, port: await freePort(...PORTS), seed: 11 });
    const text = JSON.stringify(r, null, 1);
    expect(r.errors, text).toEqual([]);
    expect(r.closes, text).toEqual({});
    expect(r.sessionsActingAtKill, text).toBe(2);
    for (const round of r.roundsAtKill) expect(round, text).toBeGreaterThan(1);
    expect(r.beforeKill.ok, text).toBeGreaterThan(30);
    expect(r.log.acked, text).toBe(r.beforeKill.ok);
    expect(r.log.lost, text).toBe(0);
    expect(r.log.invented, text).toBe(0);
    expect(r.log.unknownLogged + r.log.unknownMissing, text).toBeLessThanOrEqual(r.inFlightAtKill);
    expect(r.sessionsRestored, text).toBe(2);
    expect(r.sessionsSameRound, text).toBe(2);
    expect(r.hostsRestored, text).toBe(2);
    expect(r.seatsRestored, text).toBe(30);
    expect(r.seatsWrong, text).toBe(0);
    expect(r.afterRestart.ok, text).toBeGreaterThan(0);
    expect(r.afterRestart.reports, text).toBeGreaterThanOrEqual(2);
    expect(Number.isFinite(r.restartMs), text).toBe(true);
  }, 60_000);
});
