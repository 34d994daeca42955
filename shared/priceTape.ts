/**
 * A client's copy of each pool's closing prices (the engine's `priceHistory`), kept without the
 * synced state carrying it: the server sends the engine's history once when a client joins (the
 * `history` message), and from then on the client appends each pool's spot price whenever the
 * chain's block count moves (a resolution, which is when the engine appends its own). Sparklines
 * and momentum-minded bots read it; every resolution's patch stays smaller by one value a subnet.
 */
import { PRICE_HISTORY_LENGTH } from "./round.js";

/** The `history` message: closing prices per subnet as the engine holds them at `block`. */
export interface HistoryMessage {
  readonly block: number;
  readonly subnets: readonly { readonly netuid: string; readonly registeredRound: number; readonly prices: readonly string[] }[];
}

export interface PriceTape {
  readonly block: number;
  /** Keyed by `netuid@registeredRound`: a pruned subnet's successor starts a fresh series. */
  readonly series: Readonly<Record<string, readonly string[]>>;
}

export interface TapeSubnet {
  readonly netuid: string;
  readonly registeredRound: number;
  /** Spot price now (TAO per alpha, a decimal string). */
  readonly price: string;
}

function key(netuid: string, registeredRound: number): string {
  return `${netuid}@${registeredRound}`;
}

export function tapeFromHistory(m: HistoryMessage): PriceTape {
  const series: Record<string, readonly string[]> = {};
  for (const s of m.subnets) series[key(s.netuid, s.registeredRound)] = s.prices.slice(-PRICE_HISTORY_LENGTH);
  return { block: m.block, series };
}

/**
 * The tape after seeing the synced pools at `block`: unchanged while the block is the same; when
 * it moved on, each live subnet's series gains its current price (series of gone subnets are dropped).
 */
export function observeTape(tape: PriceTape | null, block: number, subnets: Iterable<TapeSubnet>): PriceTape | null {
  if (!tape || block <= tape.block) return tape;
  const series: Record<string, readonly string[]> = {};
  for (const s of subnets) {
    const k = key(s.netuid, s.registeredRound);
    const next = [...(tape.series[k] ?? []), s.price];
    series[k] = next.length > PRICE_HISTORY_LENGTH ? next.slice(-PRICE_HISTORY_LENGTH) : next;
  }
  return { block, series };
}

export function tapeSeries(tape: PriceTape | null, netuid: string, registeredRound: number): readonly string[] {
  return tape?.series[key(netuid, registeredRound)] ?? [];
}
