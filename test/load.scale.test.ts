/**
 * `npm run loadtest -- --processes 2` for CI (scripts/loadtest.ts, the same code): two server child
 * processes sharing a throwaway Redis that the tool starts and stops, 2 sessions × 5 players for a
 * few seconds, one session created in each process. It asserts correctness only: no error, no lost
 * intent, no disconnect, every intent answered, both processes hosted a session and its clients
 * (every WebSocket reached the hosting process: the tool counts any other as an error), per-process
 * figures in the report, and Redis stopped at the end. Timings are recorded in docs/benchmarks.md.
 * Without /usr/bin/redis-server the file skips locally and fails under CI=true (as server.scale does).
 */
import { describe, expect, it } from "vitest";
import { formatReport, type LoadOptions, parseLoadArgs, runLoad } from "../scripts/loadtest.js";
import { portIsFree } from "./support/ports.js";
import { hasRedis, mustHaveRedis, REDIS_SERVER } from "./support/redis.js";

/** This file's own ports: the server processes, and the tool's throwaway Redis. */
const PORTS: [number, number] = [4761, 4790];
const REDIS_PORTS: [number, number] = [6400, 6409];

describe.runIf(hasRedis || mustHaveRedis)("npm run loadtest -- --processes 2 (short)", () => {
  it("2 sessions × 5 players across two processes sharing Redis: no error, no lost intent, both processes host", async () => {
    if (!hasRedis) throw new Error("redis-server is required under CI (apt-get install redis-server)");
    const options: LoadOptions = {
      rooms: 2, players: 5, seconds: 5, url: null, subnets: null, advanceSeconds: 2, resolveSeconds: 0.5,
      intentsMin: 1, intentsMax: 3, stepRooms: null, kneeMs: 100, cpuProf: null, inline: false,
      port: 0, dataDir: null, warmupSeconds: 2, seed: 42,
      processes: 2, redis: "auto", cross: false, portRange: PORTS, redisPortRange: REDIS_PORTS,
    };
    const before = process.env.REDIS_SERVER_PATH;
    process.env.REDIS_SERVER_PATH = REDIS_SERVER;
    let report: Awaited<ReturnType<typeof runLoad>>;
    try {
      report = await runLoad(options);
    } finally {
      if (before === undefined) delete process.env.REDIS_SERVER_PATH;
      else process.env.REDIS_SERVER_PATH = before;
    }
    const text = formatReport(report);
    expect(report.players, text).toBe(10);
    expect(report.errors, text).toBe(0);
    expect(report.lost, text).toBe(0);
    expect(report.disconnects, text).toBe(0);
    expect(report.intentsSent, text).toBeGreaterThan(0);
    expect(report.results, text).toBe(report.intentsSent);
    expect(report.ok, text).toBeGreaterThan(0);
    expect(report.roundResolution.rounds, text).toBeGreaterThanOrEqual(2);

    // Both processes hosted a session, its host and players, and answered its intents.
    expect(report.server?.processes, text).toBe(2);
    expect(report.processes?.length, text).toBe(2);
    for (const p of report.processes ?? []) {
      expect(p.sessions, text).toBe(1);
      expect(p.rooms, text).toBe(1);
      expect(p.clients, text).toBe(6);
      expect(p.intentsSent, text).toBeGreaterThan(0);
      expect(Number.isFinite(p.latencyMs.p99 ?? NaN), text).toBe(true);
      expect(p.peakRssMB ?? 0, text).toBeGreaterThan(0);
    }
    expect(new Set(report.processes?.map((p) => p.port)).size, text).toBe(2);
    // The JSON line carries the per-process figures.
    const json = JSON.parse(JSON.stringify(report)) as { processes: { process: number; cpuPercent: number | null }[] };
    expect(json.processes.map((p) => p.process)).toEqual([1, 2]);

    // The tool started its own Redis in this file's range, and stopped it.
    expect(report.redis?.started, text).toBe(true);
    const redisPort = Number(new URL(report.redis!.url).port);
    expect(redisPort).toBeGreaterThanOrEqual(REDIS_PORTS[0]);
    expect(redisPort).toBeLessThanOrEqual(REDIS_PORTS[1]);
    expect(await portIsFree(redisPort, "127.0.0.1")).toBe(true);
    for (const p of report.processes ?? []) expect(await portIsFree(p.port, "127.0.0.1"), `port ${p.port} still taken`).toBe(true);
  }, 90_000);
});

describe("npm run loadtest -- --processes: arguments", () => {
  it("defaults to one process and refuses what several processes cannot do", () => {
    const one = parseLoadArgs(["--rooms", "2", "--players", "4", "--seconds", "5"]);
    expect(one.ok && [one.options.processes, one.options.redis, one.options.cross]).toEqual([1, null, false]);
    const two = parseLoadArgs(["--rooms", "2", "--players", "4", "--seconds", "5", "--processes", "2", "--cross", "--redis", "redis://127.0.0.1:6379"]);
    expect(two.ok && [two.options.processes, two.options.redis, two.options.cross]).toEqual([2, "redis://127.0.0.1:6379", true]);

    const bad = (args: string[]) => { const r = parseLoadArgs(["--rooms", "4", "--players", "4", "--seconds", "5", ...args]); return r.ok ? "" : r.error; };
    expect(bad(["--processes", "2", "--cpu-prof", "/tmp/prof"])).toMatch(/--cpu-prof profiles one server process/);
    expect(bad(["--processes", "2", "--inline"])).toMatch(/--inline/);
    expect(bad(["--processes", "2", "--url", "ws://127.0.0.1:2567"])).toMatch(/--url/);
    expect(bad(["--processes", "5"])).toMatch(/fewer than --processes/);
    expect(bad(["--cross"])).toMatch(/--processes 2/);
    expect(bad(["--processes", "2", "--redis", "redis://10.0.0.2:6379"])).toMatch(/loopback/);
    expect(bad(["--processes", "2", "--redis", "http://127.0.0.1:6379"])).toMatch(/redis:\/\//);
    expect(bad(["--processes", "0"])).toMatch(/--processes/);
    expect(bad(["--processes", "2", "--port", "65535"])).toMatch(/--port/);
  });
});
