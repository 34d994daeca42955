/**
 * Store faults (docs/reliability.md, "Store faults"): a full disk, an unwritable or read-only data
 * folder, a failed flush. The FileStore on its own (scripts/lib/faultyFs.ts fails its calls the way
 * the kernel does), then the short version of `npm run faults -- store`: players and a host over
 * websockets through every fault, each intent refused with store/unavailable and none acknowledged
 * and lost, and the session on disk replaying to the live state. On a real tmpfs as well when this
 * machine lets the test mount one (root with CAP_SYS_ADMIN).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore, type SessionMeta, type StoredEntry } from "../server/store.js";
import { FaultyFs } from "../scripts/lib/faultyFs.js";
import { canMountTmpfs, runStoreFaults, type StoreReport } from "../scripts/faults/store.js";
import { freePort } from "./support/ports.js";

/** This file's ports (test/faults.*.test.ts use 4761–4800). */
const PORTS: [number, number] = [4761, 4765];
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const META: SessionMeta = {
  code: "STORE1", createdAt: 0, hostTokenHash: null, config: {} as SessionMeta["config"], seed: 1, quickPlay: false,
  roundSeconds: 60, resolveSeconds: 1, maxSpectators: 1,
};

function entry(seq: number, tag: string): StoredEntry {
  return { kind: "action", seq, t: 0, playerId: "p_1", action: { type: "stake", tag } };
}

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), "arena-store-unit-"));
  dirs.push(dir);
  const fs = new FaultyFs();
  const store = new FileStore(dir, fs);
  store.create(META);
  const logPath = join(dir, "sessions", META.code, "log.jsonl");
  return { dir, fs, store, logPath, bytes: () => (existsSync(logPath) ? readFileSync(logPath) : Buffer.alloc(0)) };
}

const tags = (s: FileStore) => s.load(META.code).entries.map((e) => `${e.seq}:${(e as { action: { tag: string } }).action.tag}`);

describe("FileStore under file-system faults", () => {
  it("a write that fills the disk refuses its whole batch and leaves the log as it was", async () => {
    const { fs, store, bytes } = fresh();
    await store.append(META.code, entry(1, "a"));
    const before = bytes();
    // Room for the first line of the batch and half of the second: both refused, nothing of them kept.
    fs.set("enospc", JSON.stringify(entry(2, "b")).length + 20);
    const results = await Promise.allSettled([store.append(META.code, entry(2, "b")), store.append(META.code, entry(3, "c"))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: "store/unavailable" });
    expect(String((results[0] as PromiseRejectedResult).reason.message)).toMatch(/ENOSPC/);
    expect(fs.raised.ENOSPC).toBeGreaterThan(0);
    expect(bytes().equals(before)).toBe(true);
    fs.set("none");
    await store.append(META.code, entry(2, "b2"));
    expect(tags(store)).toEqual(["1:a", "2:b2"]);
  });

  it("a failed flush (EIO) refuses the entry and cuts its written bytes off again", async () => {
    const { fs, store, bytes } = fresh();
    await store.append(META.code, entry(1, "a"));
    const before = bytes();
    fs.set("eio");
    await expect(store.append(META.code, entry(2, "b"))).rejects.toMatchObject({ code: "store/unavailable" });
    expect(bytes().equals(before)).toBe(true);
    fs.set("none");
    await store.append(META.code, entry(2, "c"));
    expect(tags(store)).toEqual(["1:a", "2:c"]);
  });

  it("when even cutting fails (read-only), the next write starts a fresh line and load drops the refused entries", async () => {
    const { dir, fs, store, bytes } = fresh();
    await store.append(META.code, entry(1, "a"));
    // A whole line and a half are written, then the file system turns read-only: nothing can be undone.
    fs.set("enospc", JSON.stringify(entry(2, "b")).length + 20);
    const failing = Promise.allSettled([store.append(META.code, entry(2, "b")), store.append(META.code, entry(3, "c"))]);
    const realTruncate = fs.ftruncateSync;
    fs.ftruncateSync = () => { throw Object.assign(new Error("EROFS: read-only file system, ftruncate"), { code: "EROFS" }); };
    expect((await failing).every((r) => r.status === "rejected")).toBe(true);
    fs.ftruncateSync = realTruncate;
    fs.set("none");
    const kept = bytes().toString("utf8");
    expect(kept).toContain('"tag":"b"'); // the refused line is still in the file...
    // ...and the room gives the refused numbers to its next entries.
    await store.append(META.code, entry(2, "d"));
    expect(bytes().toString("utf8")).toMatch(/\n\{"kind":"action","seq":2,[^\n]*"tag":"d"\}\}\n$/);
    expect(tags(store)).toEqual(["1:a", "2:d"]);
    expect(tags(new FileStore(dir))).toEqual(["1:a", "2:d"]); // what a restart reads
  });

  it("EACCES when the log is (re)opened refuses; a log already open keeps working, as with real permissions", async () => {
    const { fs, store } = fresh();
    fs.set("eacces");
    await expect(store.append(META.code, entry(1, "a"))).rejects.toThrow(/EACCES/);
    fs.set("none");
    await store.append(META.code, entry(1, "b"));
    fs.set("eacces");
    await store.append(META.code, entry(2, "c"));
    expect(tags(store)).toEqual(["1:b", "2:c"]);
  });

  it("a log that ends mid-line (a power cut) gets the next entry on a line of its own", async () => {
    const { dir, logPath } = fresh();
    writeFileSync(logPath, `${JSON.stringify(entry(1, "a"))}\n{"kind":"action","seq":2,"t":0,"pla`);
    const store = new FileStore(dir);
    await store.append(META.code, entry(2, "b"));
    expect(tags(store)).toEqual(["1:a", "2:b"]);
  });

  it("a snapshot that does not fit leaves no temporary file holding the space", async () => {
    const { dir, fs, store } = fresh();
    fs.set("enospc", 10);
    await expect(store.snapshot(META.code, { seq: 1, state: { big: "x".repeat(1000) } as never })).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(join(dir, "sessions", META.code)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

function expectSurvived(r: StoreReport) {
  const text = JSON.stringify(r, null, 1);
  expect(r.errors, text).toEqual([]);
  expect(r.log.acked, text).toBeGreaterThan(0);
  expect(r.log.lost, text).toBe(0);
  expect(r.log.invented, text).toBe(0);
  expect(r.replayError, text).toBeNull();
  expect(r.replayMatchesLive, text).toBe(true);
  for (const ph of r.phases.filter((p) => p.fault === "none")) expect(ph.ok, `${ph.phase}\n${text}`).toBe(ph.sent);
}

describe("npm run faults -- store (short)", () => {
  // One server in this process goes through every fault (a second in-process server cannot follow
  // a first one's shutdown): on a real tmpfs first when this machine allows mounting one.
  const tmpfs = canMountTmpfs();
  let report: StoreReport;
  beforeAll(async () => {
    report = await runStoreFaults({ modes: tmpfs ? ["tmpfs", "inject"] : ["inject"], players: 3, intents: 2, port: await freePort(...PORTS), seed: 7, sizeKb: 512 });
  }, 45_000);

  it("the session survives: every acknowledged intent in the log, nothing refused in it, the log replays to the live state, intents acknowledged again after each fault", () => {
    expectSurvived(report);
  });

  it("injected ENOSPC, EACCES, EROFS and EIO: every intent, host:advance, join and new session refused; rounds resolve once the disk is back", () => {
    const faults = report.phases.filter((p) => p.fault !== "none" && !p.fault.includes("kernel"));
    expect(faults.map((p) => p.fault.split(" ")[0])).toEqual(["ENOSPC", "EACCES", "EROFS", "EIO", "ENOSPC"]);
    for (const ph of faults) {
      const text = JSON.stringify(ph);
      expect(ph.sent, text).toBe(6);
      expect(ph.storeUnavailable, text).toBe(ph.sent);
      expect(ph.hostAdvance, text).toBe("store/unavailable");
      expect(ph.newPlayer, text).toMatch(/^refused/);
      expect(ph.newSession, text).toMatch(/^refused/);
      expect(ph.fsErrors[ph.fault.split(" ")[0]], text).toBeGreaterThan(0);
    }
    expect(report.roundsResolved).toBeGreaterThanOrEqual(faults.length);
  });

  it.skipIf(!tmpfs)("a real tmpfs: filled up (the kernel's ENOSPC), then remounted read-only (EROFS)", () => {
    const [full, readOnly] = report.phases.filter((p) => p.fault.includes("kernel"));
    expect(full.fsErrors.ENOSPC, JSON.stringify(full)).toBeGreaterThan(0);
    expect(full.storeUnavailable, JSON.stringify(full)).toBeGreaterThan(0);
    expect(readOnly.fsErrors.EROFS, JSON.stringify(readOnly)).toBeGreaterThan(0);
    expect(readOnly.storeUnavailable, JSON.stringify(readOnly)).toBe(readOnly.sent);
    expect(readOnly.hostAdvance).toBe("store/unavailable");
  });
});
