/**
 * Store faults: the disk fills up, the data folder becomes unwritable or read-only, the disk fails a
 * flush. The server runs in this process on a FileStore whose file-system calls go through
 * scripts/lib/faultyFs.ts, with players and a host over websockets. Two ways to break the disk
 * (one server and one session go through both, in turn):
 *
 *   inject  faults at the fs boundary, one after another: ENOSPC with part of a line fitting,
 *           EACCES when the log is reopened, EROFS (even truncating fails), EIO on fdatasync,
 *           ENOSPC with nothing fitting;
 *   tmpfs   a real small file system (`mount -t tmpfs -o size=…`, needs root and CAP_SYS_ADMIN):
 *           filled up with a file until the kernel says ENOSPC, then remounted read-only (EROFS),
 *           then given its space back.
 *
 * In each fault every player keeps sending intents: each must be refused with `store/unavailable`
 * (on tmpfs the last free bytes of a page may still take a few), the host's `host:advance` too, and
 * a new player (on a full disk, with room for the first of its two lines) and a new session are refused. Once the disk is back, intents are acknowledged
 * again and rounds resolve. At the end the session is loaded from disk as a restart would: it
 * must replay to exactly the state the room holds, with every acknowledged intent in its log and
 * none of the refused ones.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { stateHash } from "../../shared/index.js";
import { type FsFault, FaultyFs } from "../lib/faultyFs.js";
import { checkLog, createSession, Host, type LogCheck, Meter, Player, sleep, summary, Tally, until } from "./players.js";

export type StoreMode = "inject" | "tmpfs";

export interface StoreOptions {
  /** One server and one session go through the faults of each, in this order. */
  modes: StoreMode[];
  players: number;
  /** Intents each player sends in each phase. */
  intents: number;
  port: number;
  seed: number;
  /** tmpfs size, KB. */
  sizeKb: number;
}

export interface PhaseReport {
  phase: string;
  fault: string;
  sent: number;
  ok: number;
  storeUnavailable: number;
  otherRefusals: Record<string, number>;
  hostAdvance: string;
  newPlayer: string;
  newSession: string;
  /** Error codes the (real or injected) file system returned during the phase. */
  fsErrors: Record<string, number>;
}

export interface StoreReport {
  scenario: "store";
  modes: StoreMode[];
  players: number;
  load: number[];
  phases: PhaseReport[];
  log: LogCheck;
  /** The session loaded from disk replays to the live room's state (same stateHash). */
  replayMatchesLive: boolean;
  replayError: string | null;
  roundsResolved: number;
  errors: string[];
}

/** Can this process mount a tmpfs? (root with CAP_SYS_ADMIN, e.g. not inside most containers). */
export function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "arena-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Phase {
  name: string;
  fault: string;
  /** Break the disk (may be async: it can need a refused write first). */
  apply(): Promise<void> | void;
  /** Fix it again. */
  clear(): Promise<void> | void;
  /** Every intent in the phase must be refused (false on tmpfs: a page's last bytes may still fit some). */
  allRefused: boolean;
}

export async function runStoreFaults(o: StoreOptions, say: (line: string) => void = () => undefined): Promise<StoreReport> {
  const { createArena } = await import("../../server/app.js");
  const { FileStore } = await import("../../server/store.js");
  const { restoreSession } = await import("../../server/room/restore.js");
  const { matchMaker } = await import("@colyseus/core");

  const base = mkdtempSync(join(tmpdir(), "arena-store-"));
  let mounted = false;
  const fs = new FaultyFs();
  const tally = new Tally();
  const players: Player[] = [];
  let host: Host | null = null;
  let arena: Awaited<ReturnType<typeof createArena>> | null = null;
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  try {
    if (o.modes.includes("tmpfs")) {
      sh("mount", ["-t", "tmpfs", "-o", `size=${o.sizeKb}k`, "tmpfs", base]);
      mounted = true;
    }
    const dataDir = join(base, "data");
    mkdirSync(dataDir);
    const store = new FileStore(dataDir, fs);
    arena = createArena({ store, clientDir: "/nonexistent", resolveSeconds: 0.5, reconnectSeconds: 5, botDelayMs: 3_600_000 });
    await arena.listen(o.port, "127.0.0.1");
    const http = `http://127.0.0.1:${o.port}`;
    const url = `ws://127.0.0.1:${o.port}`;

    const session = await createSession(http, { rounds: 50, roundSeconds: 3600 });
    host = new Host(session.code, session.hostToken, tally, 3_600_000);
    await host.join(url);
    for (let i = 0; i < o.players; i++) {
      const p = new Player(i * 5, session.code, tally, { rate: 1 }, o.seed); // index 0, 5, 10...: stakers
      await p.join(url);
      players.push(p);
    }
    await host.run();
    host.stop();
    await until(() => players.every((p) => p.room?.state?.phase === "acting"), 5000, "round open");

    // Each intent is a small stake the engine always accepts (1000 TAO each at the start).
    let n = 0;
    const phaseRun = async (label: string) => {
      tally.meter = new Meter(label);
      for (let k = 0; k < o.intents; k++) {
        for (const p of players) p.send("stake", { subnet: 1 + (n++ % 3), tao: "0.01" });
        await Promise.all(players.map((p) => p.settle(5000)));
      }
      return tally.meter;
    };
    const outcome = (r: { ok: boolean; code?: string }) => (r.ok ? "ok" : r.code ?? "refused");
    const tryJoin = async () => {
      const p = new Player(1000 + players.length, session.code, tally, { rate: 1 }, o.seed);
      p.expectingClose = true;
      try { await p.join(url, 5000); await p.leave(); return "ok"; } catch (e) { return `refused: ${(e as Error).message.slice(0, 80)}`; }
    };
    const trySession = async () => {
      try { await createSession(http, { rounds: 3 }); return "ok"; } catch (e) { return `refused: ${(e as Error).message.slice(0, 80)}`; }
    };
    const counts = () => {
      const all: Record<string, number> = { ...fs.raised };
      for (const [k, v] of Object.entries(fs.observed)) all[k] = (all[k] ?? 0) + v;
      return all;
    };
    const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).filter((k) => (b[k] ?? 0) !== (a[k] ?? 0)).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));

    const filler = join(base, "filler");
    const fill = () => {
      const fd = openSync(filler, "w");
      const chunk = Buffer.alloc(4096, 120);
      try { for (;;) writeSync(fd, chunk); } catch { /* full */ }
      try { for (;;) writeSync(fd, chunk, 0, 1); } catch { /* really full */ }
      closeSync(fd);
    };
    /** A refused write closes the log; then no file is open for writing and the mount can go read-only. */
    const remount = async (mode: "ro" | "rw") => {
      for (let i = 0; ; i++) {
        try { sh("mount", ["-o", `remount,${mode}`, base]); return; } catch (e) {
          if (i > 50) throw e;
          await sleep(100);
        }
      }
    };
    const refuseOnce = async () => {
      // Write until one is refused (on a real disk the last page may still take a few): the store
      // then closes the log and reopens it on the next append.
      for (let i = 0; i < 200; i++) {
        const refused = players[0].refusedActions.length;
        players[0].send("stake", { subnet: 1, tao: "0.01" });
        await players[0].settle(5000);
        if (players[0].refusedActions.length > refused) return;
      }
      throw new Error("the full disk never refused a write");
    };

    const injected: Phase[] = [
      { name: "disk full, part of a line fits", fault: "ENOSPC (60 bytes left)", apply: () => fs.set("enospc", 60), clear: () => fs.set("none"), allRefused: true },
      { name: "folder unwritable when the log is reopened", fault: "EACCES", apply: async () => { fs.set("enospc"); await refuseOnce(); fs.set("eacces"); }, clear: () => fs.set("none"), allRefused: true },
      { name: "file system read-only (truncating fails too)", fault: "EROFS", apply: () => fs.set("erofs"), clear: () => fs.set("none"), allRefused: true },
      { name: "disk fails the flush", fault: "EIO (fdatasync)", apply: () => fs.set("eio"), clear: () => fs.set("none"), allRefused: true },
      { name: "disk full", fault: "ENOSPC", apply: () => fs.set("enospc", 0), clear: () => fs.set("none"), allRefused: true },
    ];
    const real: Phase[] = [
      { name: "tmpfs filled up", fault: "ENOSPC (kernel)", apply: async () => { fill(); await refuseOnce(); }, clear: () => unlinkSync(filler), allRefused: false },
      { name: "tmpfs full, then remounted read-only", fault: "EROFS (kernel)", apply: async () => { fill(); await refuseOnce(); await remount("ro"); }, clear: async () => { await remount("rw"); unlinkSync(filler); }, allRefused: true },
    ];
    const phases = o.modes.flatMap((mode) => (mode === "inject" ? injected : real));

    const reports: PhaseReport[] = [];
    let roundsResolved = 0;
    const record = (name: string, fault: string, m: Meter, extra: Omit<PhaseReport, "phase" | "fault" | "sent" | "ok" | "storeUnavailable" | "otherRefusals">) => {
      const { "store/unavailable": unavailable = 0, ...other } = m.refused;
      reports.push({ phase: name, fault, sent: m.sent, ok: m.ok, storeUnavailable: unavailable, otherRefusals: other, ...extra });
    };
    let m = await phaseRun("healthy");
    record("healthy", "none", m, { hostAdvance: "-", newPlayer: "-", newSession: "-", fsErrors: {} });
    /** host:advance; when it resolves the round, wait until every player sees the next one open. */
    const advance = async () => {
      const round = host!.state()!.round;
      const r = outcome(await host!.ask("host:advance"));
      if (r === "ok") {
        roundsResolved++;
        await until(() => [host!.room!, ...players.map((p) => p.room!)].every((room) => room.state.round === round + 1 && room.state.phase === "acting"), 10_000, `round ${round + 1} open`)
          .catch((e: Error) => tally.error(e.message));
      }
      return r;
    };
    for (const ph of phases) {
      const before = counts();
      await ph.apply();
      m = await phaseRun(ph.name);
      if (ph.allRefused && m.ok > 0) tally.error(`${ph.name}: ${m.ok} intents acknowledged during the fault`);
      const advanced = await advance();
      // A join writes two lines (the player, its seat): on a full disk, room for the first one only.
      if (fs.fault === "enospc") fs.spaceLeft = 200;
      const newPlayer = await tryJoin();
      const newSession = await trySession();
      record(ph.name, ph.fault, m, { hostAdvance: advanced, newPlayer, newSession, fsErrors: diff(before, counts()) });
      say(`${ph.name}: ${m.sent} intents, ${m.ok} ok, ${m.refused["store/unavailable"] ?? 0} store/unavailable; host:advance ${advanced}; join ${newPlayer}`);
      await ph.clear();
      // Back: intents are acknowledged again and a round resolves. (A resolution refused during the
      // fault is retried by the room 5 s later: the round may resolve on its own meanwhile.)
      m = await phaseRun(`${ph.name}: recovered`);
      const again = await advance();
      if (again !== "ok") tally.error(`${ph.name}: host:advance after recovery: ${again}`);
      record(`${ph.name}: recovered`, "none", m, { hostAdvance: again, newPlayer: "-", newSession: "-", fsErrors: {} });
      if (m.ok !== m.sent) tally.error(`${ph.name}: after recovery only ${m.ok} of ${m.sent} intents acknowledged`);
    }

    // What a restart would load: the log replays to the live state, with every acknowledged intent and no refused one.
    await sleep(50);
    const loaded = new FileStore(dataDir).load(session.code);
    const log = checkLog(players, loaded.entries);
    let replayMatchesLive = false;
    let replayError: string | null = null;
    try {
      const live = (matchMaker.getLocalRoomById(session.code) as unknown as { engineState: Parameters<typeof stateHash>[0] }).engineState;
      replayMatchesLive = stateHash(restoreSession(loaded).state) === stateHash(live);
    } catch (e) {
      replayError = (e as Error).message;
    }
    const load = loadavg().map((x) => Math.round(x * 100) / 100);
    return { scenario: "store", modes: o.modes, players: players.length, load, phases: reports, log, replayMatchesLive, replayError, roundsResolved, errors: tally.errors };
  } finally {
    for (const p of players) await p.leave().catch(() => undefined);
    await host?.leave().catch(() => undefined);
    fs.set("none");
    if (mounted) { try { sh("mount", ["-o", "remount,rw", base]); } catch { /* already rw */ } }
    await arena?.shutdown().catch(() => undefined);
    if (mounted) { try { sh("umount", [base]); } catch { try { sh("umount", ["-l", base]); } catch { /* leave it */ } } }
    rmSync(base, { recursive: true, force: true });
  }
}

export type { FsFault };
