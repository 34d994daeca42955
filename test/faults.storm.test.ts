/**
 * Reconnection storm (docs/reliability.md, "Reconnection storm"): the short version of
 * `npm run faults -- storm`. 200 players in 5 sessions reach the real server (a child process)
 * through a TCP relay that cuts every connection at once; half come back with Colyseus
 * reconnection, half with their seat token (a page reload), all at the same time. Every seat must
 * be back within 10 s, and none in anybody else's hands.
 */
import { describe, expect, it } from "vitest";
import { runStorm } from "../scripts/faults/storm.js";
import { freePort } from "./support/ports.js";

/** This file's ports (test/faults.*.test.ts use 4761–4800). */
const PORTS: [number, number] = [4766, 4775];

describe("npm run faults -- storm (short)", () => {
  it("200 connections cut at once come back within 10 s, each to its own seat", async () => {
    const r = await runStorm({ rooms: 5, players: 40, playSeconds: 2, rate: 0.3, reloadShare: 0.5, deadlineSeconds: 10, port: await freePort(...PORTS), seed: 5 });
    const text = JSON.stringify(r, null, 1);
    expect(r.errors, text).toEqual([]);
    expect(r.closes, text).toEqual({});
    expect(r.cut, text).toBeGreaterThanOrEqual(200);
    expect(r.back, text).toBe(200);
    expect(r.withinDeadline, text).toBe(true);
    expect(r.reconnected, text).toBeGreaterThan(50);
    expect(r.reloaded, text).toBeGreaterThan(50);
    expect(r.wrongSeat, text).toBe(0);
    expect(r.holdingsChanged, text).toBe(0);
    expect(r.playersBefore, text).toBe(200);
    expect(r.playersAfter, text).toBe(200);
    expect(r.connectedAfter, text).toBe(200);
    // Each player staked its own amount: exactly that amount left exactly its own balance.
    expect(r.identity.staked, text).toBeGreaterThan(180);
    expect(r.identity.exact, text).toBe(r.identity.staked);
    expect(r.identity.wrong, text).toBe(0);
    expect(r.afterBack.ok, text).toBeGreaterThan(0);
  }, 90_000);
});
