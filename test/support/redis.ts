/**
 * A throwaway Redis for scale-out tests: Debian's /usr/bin/redis-server as a child process on a
 * loopback port, with no persistence. Without the binary the tests skip locally but fail under
 * CI=true (the same rule as the browser tests; .ci/run installs it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { freePort } from "./ports.js";
import { sleep } from "./server.js";

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";
export const hasRedis = existsSync(REDIS_SERVER);
export const mustHaveRedis = process.env.CI === "true" || process.env.CI === "1";

export interface RedisProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a second; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Start redis-server on the first free port in [from, to] and wait until it accepts connections. */
export async function startRedis(from: number, to: number, timeoutMs = 10_000): Promise<RedisProcess> {
  const tried: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort(from, to, tried);
    tried.push(port);
    const started = await spawnOn(port, timeoutMs);
    if (started !== "port-taken") return started;
  }
  throw new Error(`could not start redis-server (tried ports ${tried.join(", ")})`);
}

async function spawnOn(port: number, timeoutMs: number): Promise<RedisProcess | "port-taken"> {
  const child = spawn(REDIS_SERVER, [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
    "--loglevel", "notice",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => { out += String(d); });
  child.stderr?.on("data", (d) => { out += String(d); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const proc: RedisProcess = {
    child, port, url: `redis://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (gone()) return;
      child.kill("SIGTERM");
      const killed = await Promise.race([exited.then(() => true), sleep(1000).then(() => false)]);
      if (!killed && !gone()) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
  const start = Date.now();
  for (;;) {
    if (out.includes("Ready to accept connections")) return proc;
    if (gone()) {
      if (/address already in use/i.test(out)) return "port-taken";
      throw new Error(`redis-server exited early (${child.exitCode ?? child.signalCode})\n${out.slice(-2000)}`);
    }
    if (Date.now() - start > timeoutMs) {
      await proc.stop();
      throw new Error(`redis-server did not start within ${timeoutMs} ms\n${out.slice(-2000)}`);
    }
    await sleep(20);
  }
}
