/**
 * Durable session storage, embedded default: one folder per session under DATA_DIR with
 *   meta.json     how the session was created (config, seed, host token hash)
 *   log.jsonl     every accepted entry, appended and fsynced before the player hears "ok"
 *   snapshot.json the engine state at the last round boundary (so a restart replays only a tail)
 * Appends are group-committed: entries arriving while a session's previous write + fdatasync is in
 * flight share the next one, and the disk work runs on libuv's thread pool, never on the event loop,
 * so one session's fsync does not hold up another session's intents. A write that fails (a full disk, a read-only or unwritable folder, an I/O error) rejects its
 * entries, and whatever part of them reached the file is cut off again, so a refused entry is never
 * replayed later.
 */
import * as nodeFs from "node:fs";
import { join } from "node:path";
import type { GameConfig, GameState } from "../shared/index.js";

export interface SessionMeta {
  readonly code: string;
  readonly createdAt: number;
  readonly hostTokenHash: string | null;
  readonly config: GameConfig;
  readonly seed: number;
  readonly quickPlay: boolean;
  readonly roundSeconds: number;
  readonly resolveSeconds: number;
  readonly maxSpectators: number;
}

/** What the room logs. "action" and "resolve" are the engine's log; the rest is room book-keeping. */
export type StoredEntry =
  | { kind: "action"; seq: number; t: number; playerId: string; action: unknown }
  | { kind: "resolve"; seq: number; t: number }
  | { kind: "seat"; seq: number; t: number; playerId: string; tokenHash: string }
  | { kind: "bot"; seq: number; t: number; playerId: string; strategy: string }
  | { kind: "timer"; seq: number; t: number; phase: string; deadline: number; paused: boolean; remainingMs: number }
  | { kind: "kick"; seq: number; t: number; playerId: string };

export interface Snapshot {
  readonly seq: number;
  readonly state: GameState;
}

export interface LoadedSession {
  readonly meta: SessionMeta;
  readonly snapshot: Snapshot | null;
  readonly entries: StoredEntry[];
}

export interface SessionStore {
  create(meta: SessionMeta): void;
  exists(code: string): boolean;
  /** Resolves once the entry is on disk; rejects (and nothing is acknowledged) if it could not be written. */
  append(code: string, entry: StoredEntry): Promise<void>;
  /** Best effort (the log has everything): resolves when written, rejects if it could not be. */
  snapshot(code: string, snap: Snapshot): Promise<void>;
  load(code: string): LoadedSession;
  list(): string[];
  /** Waits for the session's pending writes, then closes its log. */
  close(code: string): Promise<void>;
  closeAll(): Promise<void>;
}

export class StoreError extends Error {
  readonly code = "store/unavailable";
}

/** "ENOSPC (write)": the error without the file's path (a refused join shows the message to the player). */
function describe(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  return x.code ? `${x.code} (${x.syscall ?? "fs"})` : (x.message ?? String(e));
}

/**
 * The file-system calls the store makes (node:fs by default). Tests and `npm run faults -- store`
 * pass a wrapper that fails them the way a full disk or a read-only folder does.
 */
export type StoreFs = Pick<typeof nodeFs,
  "openSync" | "readSync" | "writeSync" | "fdatasyncSync" | "fsyncSync" | "closeSync" | "ftruncateSync" | "fstatSync" | "writeFileSync"
  | "renameSync" | "unlinkSync" | "mkdirSync" | "readFileSync" | "readdirSync" | "existsSync">;

/**
 * The log's hot path as promises. With the real file system they run on libuv's thread pool; with an
 * injected one (fault tests) the injected synchronous calls run as they are, looked up at each call.
 */
interface LogIo {
  open(path: string): Promise<number>;
  size(fd: number): Promise<number>;
  readByte(fd: number, position: number): Promise<number | null>;
  write(fd: number, buf: Buffer, offset: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
}

const cb = <T>(run: (done: (e: NodeJS.ErrnoException | null, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => run((e, v) => (e ? reject(e) : resolve(v as T))));

function logIo(fs: StoreFs): LogIo {
  if (fs === nodeFs) {
    return {
      open: (path) => cb<number>((d) => nodeFs.open(path, "a+", d)),
      size: (fd) => cb<nodeFs.Stats>((d) => nodeFs.fstat(fd, d)).then((s) => s.size),
      readByte: (fd, position) => {
        const b = Buffer.alloc(1);
        return cb<number>((d) => nodeFs.read(fd, b, 0, 1, position, d)).then((n) => (n === 1 ? b[0] : null));
      },
      write: (fd, buf, offset) => cb<number>((d) => nodeFs.write(fd, buf, offset, buf.length - offset, null, d)),
      fdatasync: (fd) => cb<void>((d) => nodeFs.fdatasync(fd, d)),
      ftruncate: (fd, length) => cb<void>((d) => nodeFs.ftruncate(fd, length, d)),
    };
  }
  return {
    open: async (path) => fs.openSync(path, "a+"),
    size: async (fd) => fs.fstatSync(fd).size,
    readByte: async (fd, position) => { const b = Buffer.alloc(1); return fs.readSync(fd, b, 0, 1, position) === 1 ? b[0] : null; },
    write: async (fd, buf, offset) => fs.writeSync(fd, buf, offset, buf.length - offset),
    fdatasync: async (fd) => fs.fdatasyncSync(fd),
    ftruncate: async (fd, length) => fs.ftruncateSync(fd, length),
  };
}

interface Pending {
  lines: string[];
  waiters: { resolve: () => void; reject: (e: Error) => void }[];
}

export class FileStore implements SessionStore {
  /** Open logs: descriptor and the length of the file as this store wrote it. */
  private readonly fds = new Map<string, { fd: number; size: number }>();
  /** Sessions whose last failed write could not be cut off: the next write starts on a fresh line. */
  private readonly torn = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  /** Sessions with a write + fdatasync in flight; their new lines wait in `pending` for the next one. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Per session, the last snapshot write (snapshots of one session never overlap). */
  private readonly snapshots = new Map<string, Promise<void>>();
  private readonly io: LogIo;

  constructor(private readonly dir: string, private readonly fs: StoreFs = nodeFs) {
    fs.mkdirSync(join(dir, "sessions"), { recursive: true });
    this.io = logIo(fs);
  }

  private folder(code: string): string {
    if (!/^[A-Z0-9]{4,12}$/.test(code)) throw new StoreError(`bad session code ${code.slice(0, 12)}`);
    return join(this.dir, "sessions", code);
  }

  exists(code: string): boolean {
    return this.fs.existsSync(join(this.folder(code), "meta.json"));
  }

  create(meta: SessionMeta): void {
    const folder = this.folder(meta.code);
    this.fs.mkdirSync(folder, { recursive: true });
    this.atomicWrite(join(folder, "meta.json"), JSON.stringify(meta));
  }

  append(code: string, entry: StoredEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      let p = this.pending.get(code);
      if (!p) this.pending.set(code, (p = { lines: [], waiters: [] }));
      p.lines.push(JSON.stringify(entry));
      p.waiters.push({ resolve, reject });
      // Entries of the same tick join one batch; a batch waits for the session's previous fsync.
      if (!this.inFlight.has(code) && p.waiters.length === 1) setImmediate(() => this.kick(code));
    });
  }

  /** Start the session's next batch unless one is already being written. */
  private kick(code: string): void {
    if (this.inFlight.has(code)) return;
    const p = this.pending.get(code);
    if (!p) return;
    this.pending.delete(code);
    const run = this.writeBatch(code, p).finally(() => {
      this.inFlight.delete(code);
      if (this.pending.has(code)) this.kick(code);
    });
    this.inFlight.set(code, run);
  }

  /** One write + one fdatasync, then answer the batch's waiters. */
  private async writeBatch(code: string, p: Pending): Promise<void> {
    let log: { fd: number; size: number } | undefined;
    try {
      log = this.fds.get(code);
      if (log === undefined) {
        const fd = await this.io.open(join(this.folder(code), "log.jsonl"));
        try {
          log = { fd, size: await this.io.size(fd) };
          // A log that ends mid-line (a power cut mid-write): start the next entry on a fresh line.
          if (log.size > 0 && (await this.io.readByte(fd, log.size - 1)) !== 0x0a) this.torn.add(code);
        } catch (e) {
          this.fs.closeSync(fd);
          throw e;
        }
        this.fds.set(code, log);
      }
      const buf = Buffer.from((this.torn.has(code) ? "\n" : "") + p.lines.join("\n") + "\n", "utf8");
      let off = 0;
      while (off < buf.length) off += await this.io.write(log.fd, buf, off);
      await this.io.fdatasync(log.fd);
      log.size += buf.length;
      this.torn.delete(code);
      for (const w of p.waiters) w.resolve();
    } catch (e) {
      const err = new StoreError(`could not save: ${describe(e)}`);
      if (log !== undefined) {
        // Part of the batch may be in the file (a disk fills mid-write; a failed fdatasync leaves
        // the bytes in the page cache): cut the file back to its length before this write, so no
        // refused entry is replayed after a restart. If even that fails, the next write starts on
        // a fresh line, and load() drops entries whose seq numbers the room then reused.
        try {
          await this.io.ftruncate(log.fd, log.size);
        } catch {
          this.torn.add(code);
        }
        // Reopen on the next append (the folder may have been fixed or replaced meanwhile).
        try { this.fs.closeSync(log.fd); } catch { /* already broken */ }
        this.fds.delete(code);
      }
      for (const w of p.waiters) w.reject(err);
    }
  }

  /** Wait until every line appended so far for the session is on disk (or refused). */
  private async drain(code: string): Promise<void> {
    for (;;) {
      const running = this.inFlight.get(code);
      if (running) { await running; continue; }
      if (this.pending.has(code)) { this.kick(code); continue; }
      return;
    }
  }

  snapshot(code: string, snap: Snapshot): Promise<void> {
    // Serialised now (the state moves on right after); written off the event loop, one at a time per session.
    const text = JSON.stringify(snap);
    const path = join(this.folder(code), "snapshot.json");
    const previous = this.snapshots.get(code) ?? Promise.resolve();
    const run = previous.then(() => this.atomicWriteAsync(path, text));
    const settled = run.catch(() => undefined);
    this.snapshots.set(code, settled);
    void settled.then(() => { if (this.snapshots.get(code) === settled) this.snapshots.delete(code); });
    return run;
  }

  load(code: string): LoadedSession {
    const folder = this.folder(code);
    const meta = JSON.parse(this.fs.readFileSync(join(folder, "meta.json"), "utf8")) as SessionMeta;
    let snapshot: Snapshot | null = null;
    if (this.fs.existsSync(join(folder, "snapshot.json"))) snapshot = JSON.parse(this.fs.readFileSync(join(folder, "snapshot.json"), "utf8")) as Snapshot;
    const entries: StoredEntry[] = [];
    if (this.fs.existsSync(join(folder, "log.jsonl"))) {
      const text = this.fs.readFileSync(join(folder, "log.jsonl"), "utf8");
      for (const line of text.split("\n")) {
        if (!line) continue;
        let entry: StoredEntry;
        try {
          entry = JSON.parse(line) as StoredEntry;
        } catch {
          // A torn line (power cut or disk error mid-write) was never acknowledged: skip it.
          continue;
        }
        // A room numbers its entries 1, 2, 3, ... and gives the numbers of a refused write to the next
        // entries. So an entry that does not come after the one before it means those before it, back
        // to its number, were refused (a failed write that could not be cut off): drop them.
        if (typeof entry.seq === "number") {
          while (entries.length > 0 && typeof entries[entries.length - 1].seq === "number" && entries[entries.length - 1].seq >= entry.seq) entries.pop();
        }
        entries.push(entry);
      }
    }
    return { meta, snapshot, entries };
  }

  list(): string[] {
    return this.fs.readdirSync(join(this.dir, "sessions")).filter((c) => /^[A-Z0-9]{4,12}$/.test(c) && this.fs.existsSync(join(this.dir, "sessions", c, "meta.json")));
  }

  async close(code: string): Promise<void> {
    await this.drain(code);
    await this.snapshots.get(code);
    const log = this.fds.get(code);
    if (log !== undefined) { this.fds.delete(code); this.fs.closeSync(log.fd); }
  }

  async closeAll(): Promise<void> {
    const codes = new Set([...this.fds.keys(), ...this.pending.keys(), ...this.inFlight.keys(), ...this.snapshots.keys()]);
    await Promise.all([...codes].map((c) => this.close(c)));
  }

  /** Write a whole file or nothing: a temporary file, flushed, renamed over the old one (removed again if that fails). */
  private atomicWrite(path: string, text: string): void {
    const tmp = `${path}.tmp`;
    try {
      this.fs.writeFileSync(tmp, text);
      const fd = this.fs.openSync(tmp, "r+");
      try { this.fs.fsyncSync(fd); } finally { this.fs.closeSync(fd); }
      this.fs.renameSync(tmp, path);
    } catch (e) {
      // A half-written temporary file on a full disk would hold on to the space the log needs.
      try { this.fs.unlinkSync(tmp); } catch { /* not there */ }
      throw e;
    }
  }

  /** atomicWrite on the thread pool (with an injected file system: the same calls, synchronously). */
  private async atomicWriteAsync(path: string, text: string): Promise<void> {
    if (this.fs !== nodeFs) return this.atomicWrite(path, text);
    const tmp = `${path}.tmp`;
    try {
      const fh = await nodeFs.promises.open(tmp, "w");
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await nodeFs.promises.rename(tmp, path);
    } catch (e) {
      await nodeFs.promises.unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
