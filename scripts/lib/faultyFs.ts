/**
 * File-system faults for the session store (server/store.ts FileStore takes the fs it uses): the
 * real node:fs, except that while a fault is set, the calls fail the way the kernel fails them.
 *
 *   enospc  a full disk: writes fail with ENOSPC once `spaceLeft` bytes have been written (a write
 *           that does not fit writes what fits and returns a short count, as ext4 and tmpfs do);
 *           new files are created empty and then fail; truncating (freeing space) works.
 *   eacces  permission denied: opening for writing, creating, renaming and removing fail with
 *           EACCES; a file already open keeps working (permissions are checked at open).
 *   erofs   a read-only file system (e.g. remounted read-only after disk errors): every write,
 *           flush, truncate and open for writing fails with EROFS, open files included.
 *   eio     the disk fails the flush: fdatasync and fsync fail with EIO after the bytes were written.
 *
 * Reads always work. Every failure raised is counted by error code in `raised`, and every error the
 * real file system returned for a write (on a real full or read-only disk) in `observed`.
 */
import * as nodeFs from "node:fs";
import type { StoreFs } from "../../server/store.js";

export type FsFault = "none" | "enospc" | "eacces" | "erofs" | "eio";

const ERRNO: Record<Exclude<FsFault, "none">, [number, string]> = {
  enospc: [-28, "no space left on device"],
  eacces: [-13, "permission denied"],
  erofs: [-30, "read-only file system"],
  eio: [-5, "i/o error"],
};

function fsError(fault: Exclude<FsFault, "none">, syscall: string, path?: string): NodeJS.ErrnoException {
  const [errno, text] = ERRNO[fault];
  const code = fault.toUpperCase();
  return Object.assign(new Error(`${code}: ${text}, ${syscall}${path ? ` '${path}'` : ""}`), { errno, code, syscall, ...(path ? { path } : {}) });
}

function writesTo(flags: nodeFs.OpenMode | undefined): boolean {
  return typeof flags === "string" ? /[wa+]/.test(flags) : typeof flags === "number" ? (flags & (nodeFs.constants.O_WRONLY | nodeFs.constants.O_RDWR)) !== 0 : false;
}

export class FaultyFs implements StoreFs {
  fault: FsFault = "none";
  /** With enospc: bytes that still fit (then every write fails). */
  spaceLeft = 0;
  readonly raised: Record<string, number> = {};
  readonly observed: Record<string, number> = {};

  /** The real file system, with the errors it returns counted. */
  private readonly real: StoreFs;

  constructor(fs: StoreFs = nodeFs) {
    this.real = this.counting(fs);
  }

  private counting(fs: StoreFs): StoreFs {
    return new Proxy(fs, {
    get: (target, name) => {
      const f = (target as unknown as Record<string | symbol, unknown>)[name];
      if (typeof f !== "function") return f;
      return (...args: unknown[]) => {
        try {
          return (f as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code && code !== "ENOENT" && name !== "existsSync") this.observed[code] = (this.observed[code] ?? 0) + 1;
          throw e;
        }
      };
    },
    });
  }

  /** Set a fault (and, for enospc, how many bytes still fit); "none" clears it. */
  set(fault: FsFault, spaceLeft = 0): void {
    this.fault = fault;
    this.spaceLeft = spaceLeft;
  }

  private fail(syscall: string, path?: string): never {
    const f = this.fault as Exclude<FsFault, "none">;
    this.raised[f.toUpperCase()] = (this.raised[f.toUpperCase()] ?? 0) + 1;
    throw fsError(f, syscall, path);
  }

  openSync: StoreFs["openSync"] = (path, flags, mode) => {
    if (writesTo(flags) && (this.fault === "eacces" || this.fault === "erofs")) this.fail("open", String(path));
    return this.real.openSync(path, flags, mode);
  };

  writeSync = ((fd: number, buffer: NodeJS.ArrayBufferView, offset?: number, length?: number, position?: number | null) => {
    if (this.fault === "erofs") this.fail("write");
    if (this.fault === "enospc") {
      const off = offset ?? 0;
      const len = length ?? buffer.byteLength - off;
      if (this.spaceLeft <= 0) this.fail("write");
      const n = Math.min(len, this.spaceLeft);
      const written = this.real.writeSync(fd, buffer, off, n, position);
      this.spaceLeft -= written;
      return written;
    }
    return this.real.writeSync(fd, buffer, offset, length, position);
  }) as StoreFs["writeSync"];

  fdatasyncSync: StoreFs["fdatasyncSync"] = (fd) => {
    if (this.fault === "eio" || this.fault === "erofs") this.fail("fdatasync");
    this.real.fdatasyncSync(fd);
  };

  fsyncSync: StoreFs["fsyncSync"] = (fd) => {
    if (this.fault === "eio" || this.fault === "erofs") this.fail("fsync");
    this.real.fsyncSync(fd);
  };

  ftruncateSync: StoreFs["ftruncateSync"] = (fd, len) => {
    if (this.fault === "erofs") this.fail("ftruncate");
    this.real.ftruncateSync(fd, len);
  };

  writeFileSync: StoreFs["writeFileSync"] = (file, data, options) => {
    if (this.fault === "eacces" || this.fault === "erofs") this.fail("open", String(file));
    if (this.fault === "enospc") {
      const bytes = typeof data === "string" ? Buffer.byteLength(data) : (data as NodeJS.ArrayBufferView).byteLength;
      if (bytes > this.spaceLeft) {
        // The file is created (empty) before the write fails, as on a real full disk.
        this.real.writeFileSync(file, "");
        this.fail("write", String(file));
      }
      this.spaceLeft -= bytes;
    }
    this.real.writeFileSync(file, data, options);
  };

  renameSync: StoreFs["renameSync"] = (from, to) => {
    if (this.fault === "eacces" || this.fault === "erofs") this.fail("rename", String(from));
    this.real.renameSync(from, to);
  };

  unlinkSync: StoreFs["unlinkSync"] = (path) => {
    if (this.fault === "eacces" || this.fault === "erofs") this.fail("unlink", String(path));
    this.real.unlinkSync(path);
  };

  mkdirSync = ((path: nodeFs.PathLike, options?: nodeFs.MakeDirectoryOptions) => {
    if (this.fault !== "none" && this.fault !== "eio" && !this.real.existsSync(path)) this.fail("mkdir", String(path));
    return this.real.mkdirSync(path, options);
  }) as StoreFs["mkdirSync"];

  fstatSync = ((fd: number, options?: nodeFs.StatOptions) => this.real.fstatSync(fd, options as never)) as StoreFs["fstatSync"];
  readSync = ((...args: Parameters<typeof nodeFs.readSync>) => (this.real.readSync as (...a: unknown[]) => number)(...args)) as StoreFs["readSync"];
  closeSync: StoreFs["closeSync"] = (fd) => this.real.closeSync(fd);
  readFileSync = ((...args: Parameters<typeof nodeFs.readFileSync>) => (this.real.readFileSync as (...a: unknown[]) => unknown)(...args)) as StoreFs["readFileSync"];
  readdirSync = ((...args: Parameters<typeof nodeFs.readdirSync>) => (this.real.readdirSync as (...a: unknown[]) => unknown)(...args)) as StoreFs["readdirSync"];
  existsSync: StoreFs["existsSync"] = (path) => this.real.existsSync(path);
}
