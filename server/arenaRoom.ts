/**
 * The market room as the server defines it: MarketRoom (server/room/MarketRoom.ts), with two
 * changes to how it counts connections, kept here so the room itself stays about the game.
 *
 * 1. The connection cap leaves out the slots Colyseus keeps for dropped connections.
 *    While a dropped client may reconnect (RECONNECT_SECONDS), Colyseus keeps a reserved seat for it
 *    and counts that seat against `maxClients` (players + spectators + 5). When a whole class drops
 *    at once (the Wi-Fi goes) and reloads the page, each reload comes back with its seat token as a
 *    *new* connection while its old connection's slot is still held: past the cap the room locks,
 *    and the last people in are refused ("room is locked") until the old slots expire a minute
 *    later. A held slot belongs to a seat that can only ever have one live connection, and new
 *    players are still limited by the game's own player cap, so held slots do not count here.
 *
 * 2. A player's rate-limit bucket belongs to the seat, not to the connection. Otherwise a client
 *    that is disconnected for flooding (4429) comes straight back with its seat token and a full
 *    bucket: 40 more intents accepted (each one logged and flushed to disk) every time it rejoins.
 *
 * (Once the room tells a connection to go, server/floodGuard.ts keeps what it sends afterwards from
 * the room.)
 */
import type { Client } from "@colyseus/core";
import type { Bucket } from "./room/rateLimit.js";
import { MarketRoom } from "./room/MarketRoom.js";

export class ArenaRoom extends MarketRoom {
  /** Each seat's bucket, kept across its connections. */
  private readonly seatBuckets = new Map<string, Bucket>();

  override hasReachedMaxClients(): boolean {
    const held = Object.keys((this as unknown as { _reconnections: Record<string, unknown> })._reconnections).length;
    const seats = this.clients.length + Object.keys(this.reservedSeats).length - held;
    return seats >= this.maxClients || (this as unknown as { _internalState: number })._internalState === 2; // 2: disposing
  }

  override async onJoin(client: Client, options: unknown, auth: Parameters<MarketRoom["onJoin"]>[2]) {
    await super.onJoin(client, options, auth);
    const seat = client.userData as { kind?: string; playerId?: string; bucket?: Bucket } | undefined;
    if (seat?.kind !== "player" || !seat.playerId || !seat.bucket) return;
    const kept = this.seatBuckets.get(seat.playerId);
    if (kept) seat.bucket = kept;
    else this.seatBuckets.set(seat.playerId, seat.bucket);
  }
}
