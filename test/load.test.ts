/**
 * A short load test for CI (scripts/loadtest.ts, the same code as `npm run loadtest`): 4 sessions ×
 * 10 websocket players for ~12 s against a server in this process, hosts advancing every 2 s.
 * It asserts correctness under load only: no errors, no lost intents, no disconnects, results
 * received and a finite p99. Speed targets are recorded in docs/benchmarks.md ("## Load"), not
 * asserted: this machine is shared and CI timings would flap.
 */
import { describe, expect, it } from "vitest";
import { formatReport, type LoadOptions, parseLoadArgs, runLoad, strategyFor } from "../scripts/loadtest.js";
import { botRole } from "../shared/index.js";
import { freePort } from "./support/ports.js";

/** This file's own ports (other files use other ranges). */
const PORTS: [number, number] = [4731, 4760];

describe("npm run loadtest (short)", () => {
  it("4 sessions × 10 players play for 12 s with no error, no lost intent and no disconnect", async () => {
    const options: LoadOptions = {
      rooms: 4, players: 10, seconds: 12, url: null, subnets: null, advanceSeconds: 2, resolveSeconds: 0.5,
      intentsMin: 1, intentsMax: 3, stepRooms: null, kneeMs: 100, cpuProf: null, inline: true,
      port: await freePort(...PORTS), dataDir: null, warmupSeconds: 2, seed: 42,
    };
    const report = await runLoad(options);
    const text = formatReport(report);
    expect(report.players, text).toBe(40);
    expect(report.errors, text).toBe(0);
    expect(report.lost, text).toBe(0);
    expect(report.disconnects, text).toBe(0);
    expect(report.intentsSent, text).toBeGreaterThan(0);
    expect(report.results, text).toBe(report.intentsSent);
    expect(report.ok, text).toBeGreaterThan(0);
    expect(Number.isFinite(report.latencyMs.p99 ?? NaN), text).toBe(true);
    // Rounds resolved, and every player's websocket carried state patches for them.
    expect(report.roundResolution.rounds, text).toBeGreaterThanOrEqual(4);
    expect(report.bytesPerClientPerRound.state ?? 0, text).toBeGreaterThan(0);
    expect(report.server?.peakRssMB ?? 0, text).toBeGreaterThan(0);
  }, 90_000);

  it("mixes the roles a class has and checks its arguments", () => {
    const roles = Array.from({ length: 10 }, (_, i) => botRole(strategyFor(i)));
    expect(roles.filter((r) => r === "staker").length).toBe(6);
    expect(roles.filter((r) => r === "builder").length).toBe(2);
    expect(roles.filter((r) => r === "validator").length).toBe(2);

    const ok = parseLoadArgs(["--rooms", "25", "--players", "40", "--seconds", "300", "--subnets", "64"]);
    expect(ok.ok && ok.options.rooms * ok.options.players).toBe(1000);
    const bad = (args: string[]) => { const r = parseLoadArgs(args); return r.ok ? "" : r.error; };
    expect(bad(["--players", "4", "--seconds", "5"])).toMatch(/--rooms/);
    expect(bad(["--rooms", "1", "--players", "4", "--seconds", "5", "--url", "ws://10.0.0.5:2567"])).toMatch(/loopback/);
    expect(bad(["--rooms", "1", "--players", "4", "--seconds", "5", "--url", "ws://127.0.0.1:2567", "--subnets", "64"])).toMatch(/--subnets/);
    expect(bad(["--rooms", "1", "--players", "4", "--seconds", "5", "--intents", "3-1"])).toMatch(/--intents/);
  });
});
