/** A tiny observable store: the UI renders from one snapshot; the connection writes to it. */
import type { ClientSnapshot } from "./types";

type Listener = (s: ClientSnapshot) => void;

export class Store {
  private snap: ClientSnapshot = {
    status: "idle", state: null, seat: null, hostToken: null, signals: null, reports: [], income: null,
    incomeHistory: [], debrief: null, error: null,
  };
  private listeners = new Set<Listener>();
  private scheduled = false;

  get(): ClientSnapshot {
    return this.snap;
  }

  set(patch: Partial<ClientSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    // Coalesce bursts of patches into one render per frame.
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of this.listeners) l(this.snap);
    });
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    l(this.snap);
    return () => this.listeners.delete(l);
  }
}
