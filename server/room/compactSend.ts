/**
 * Send a message whose fractional numbers travel as float32 (5 bytes) instead of msgpack's default
 * float64 (9): a validator's signals are hundreds of noisy estimates a round, for which seven
 * significant digits are more than enough. Any msgpack decoder reads float32, so clients need
 * nothing special: this is only a smaller encoding of the same message.
 */
import { type Client, getMessageBytes, Protocol } from "@colyseus/core";
import { FLOAT32_OPTIONS, Packr } from "@colyseus/msgpackr";

const packr = new Packr({ useRecords: false, useFloat32: FLOAT32_OPTIONS.ALWAYS });

export function sendCompact(client: Client, type: string, message: unknown): void {
  // msgpackr's encoders share one module-level buffer: what pack() returns is a view of the buffer
  // Colyseus is about to write the frame header into, so it must be copied first.
  const payload = Buffer.from(packr.pack(message));
  client.enqueueRaw(getMessageBytes.raw(Protocol.ROOM_DATA, type, undefined, payload));
}
