/**
 * stateHash: a short fingerprint of the whole state, to prove replays and to compare a server's
 * state with a recomputed one. a 64-bit FNV-1a-style hash over canonical JSON with sorted keys:
 * no crypto dependency, identical in Node and the browser.
 */
import type { GameState } from "./state.js";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

/** Two independent 32-bit FNV-1a lanes (different offsets) make a 64-bit fingerprint; Math.imul keeps it fast. */
export function fnv1a64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

export function stateHash(state: GameState): string {
  return fnv1a64(canonicalJson(state));
}
