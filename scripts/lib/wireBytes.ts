/**
 * Bytes a colyseus.js client receives, counted on its underlying websocket (`ws` in Node) and split
 * by the Colyseus protocol code in the first byte of each frame. Payload bytes only: the websocket
 * frame header (2–10 bytes) and TCP/IP overhead are not counted.
 */
import type { Room } from "colyseus.js";

/** colyseus.js Protocol codes (first byte of a frame). */
const ROOM_STATE = 14;
const ROOM_STATE_PATCH = 15;
const ROOM_DATA = 13;

export interface WireCount {
  /** Full state (ROOM_STATE: on join) and state patches (ROOM_STATE_PATCH). */
  stateBytes: number;
  patchFrames: number;
  /** Messages (ROOM_DATA: result, report, signals, income, ...). */
  messageBytes: number;
  /** Anything else (join handshake, errors, leave). */
  otherBytes: number;
  frames: number;
}

export function newWireCount(): WireCount {
  return { stateBytes: 0, patchFrames: 0, messageBytes: 0, otherBytes: 0, frames: 0 };
}

export function wireTotal(c: WireCount): number {
  return c.stateBytes + c.messageBytes + c.otherBytes;
}

type WsLike = { on?(event: "message", cb: (data: unknown) => void): void; addEventListener?(event: "message", cb: (e: { data: unknown }) => void): void };

function measure(data: unknown): [bytes: number, code: number] {
  if (data instanceof ArrayBuffer) return [data.byteLength, data.byteLength > 0 ? new Uint8Array(data, 0, 1)[0] : -1];
  if (ArrayBuffer.isView(data)) return [data.byteLength, data.byteLength > 0 ? new Uint8Array(data.buffer, data.byteOffset, 1)[0] : -1];
  if (Array.isArray(data)) { // ws with binaryType "fragments"
    let n = 0;
    for (const part of data) n += (part as Uint8Array).byteLength;
    return [n, n > 0 ? (data[0] as Uint8Array)[0] : -1];
  }
  if (typeof data === "string") return [Buffer.byteLength(data), -1];
  return [0, -1];
}

/** Count every frame `room` receives from now on into `into` (several rooms may share one count). */
export function countWire(room: Room, into: WireCount): void {
  const ws = (room.connection as unknown as { transport: { ws?: WsLike } }).transport.ws;
  if (!ws) throw new Error("colyseus.js room has no websocket to count bytes on");
  const onData = (data: unknown) => {
    const [bytes, code] = measure(data);
    into.frames++;
    if (code === ROOM_STATE_PATCH || code === ROOM_STATE) {
      into.stateBytes += bytes;
      if (code === ROOM_STATE_PATCH) into.patchFrames++;
    } else if (code === ROOM_DATA) into.messageBytes += bytes;
    else into.otherBytes += bytes;
  };
  if (typeof ws.on === "function") ws.on("message", onData);
  else if (typeof ws.addEventListener === "function") ws.addEventListener("message", (e) => onData(e.data));
  else throw new Error("unknown websocket implementation");
}
