/**
 * From the wire to what the UI reads. The synced state is shaped for bytes (reserves as float64 rao,
 * rates as float32, holdings only for their owner, see server/room/schema.ts); the UI keeps reading
 * plain decimal strings, with the derived values (spot price, own live net worth) filled in here,
 * once per state change, by the same shared functions the server uses.
 */
import { amt, dec, fromWireRao, observeTape, type PriceTape, sharesFromEmas, spotPrice, spotValue, tapeSeries } from "../../shared/index";
import type { SyncedPlayer, SyncedState, SyncedSubnet, SyncedValidator } from "./types";

/** `room.state.toJSON()` as the server's schema sends it. */
export interface WireSubnet {
  netuid: string; name: string; owner: string; ownerName: string; registeredRound: number; immune: boolean;
  taoRao: number; alphaRao: number; priceEma: number; flowEma: number; flowThisRound: number; emissionShare: number;
  product: number; minerCount: number;
}
export interface WirePlayer {
  id: string; name: string; role: string; connected: boolean; bot: boolean; research: number; worth: number;
  acted?: boolean; tao?: string; rootStake?: string; alpha?: Record<string, string>; take?: string;
}
export type WireState = Omit<SyncedState, "subnets" | "players" | "validators"> & {
  subnets: Record<string, WireSubnet>; players: Record<string, WirePlayer>;
  validators: Record<string, Omit<SyncedValidator, "rootStake"> & { rootStake: number }>;
};

/** Shortest decimal of a float32 that reads back as the same float32 (0.1f → "0.1", not 0.100000001). */
export function f32(x: number): string {
  if (!Number.isFinite(x)) return "0";
  for (let p = 6; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** Decimal strings of a pool's reserves and spot price, remembered by the raw values (most pools don't move in a patch). */
const pools = new Map<string, { taoReserve: string; alphaReserve: string; price: string }>();

function pool(taoRao: number, alphaRao: number) {
  const key = `${taoRao}/${alphaRao}`;
  let p = pools.get(key);
  if (!p) {
    if (pools.size > 4096) pools.clear();
    const taoReserve = fromWireRao(taoRao);
    const alphaReserve = fromWireRao(alphaRao);
    const price = dec(alphaReserve).isZero() ? "0" : amt(spotPrice({ taoReserve, alphaReserve }));
    pools.set(key, (p = { taoReserve, alphaReserve, price }));
  }
  return p;
}

function subnet(w: WireSubnet, tape: PriceTape | null): SyncedSubnet {
  const { taoRao, alphaRao, ...rest } = w;
  return {
    ...rest, ...pool(taoRao, alphaRao),
    priceEma: f32(w.priceEma), flowEma: f32(w.flowEma), flowThisRound: String(w.flowThisRound ?? 0),
    emissionShare: f32(w.emissionShare), priceHistory: tapeSeries(tape, w.netuid, w.registeredRound) as string[],
  };
}

/** The price tape after seeing this state (a new close when the block count moved). */
export function observeWireTape(tape: PriceTape | null, raw: WireState): PriceTape | null {
  if (!tape || raw.block <= tape.block) return tape;
  return observeTape(tape, raw.block, Object.values(raw.subnets ?? {}).map((s) => ({ netuid: s.netuid, registeredRound: s.registeredRound, price: pool(s.taoRao, s.alphaRao).price })));
}

let sharesKey = "";
let sharesValue: Record<string, string> = {};

/**
 * Under the market rules the emission shares are a function of the EMAs the state carries (the
 * same shared functions resolveRound uses); under root weights the server sends them.
 */
function withDerivedShares(subnets: Record<string, SyncedSubnet>, rules: SyncedState["rules"] | undefined): void {
  const rule = rules?.emissionRule;
  if (rule !== "priceEMA" && rule !== "taoFlow") return;
  const list = Object.values(subnets);
  const key = `${rule}|${rules!.flowCutoff}|${list.map((s) => `${s.netuid}:${rule === "priceEMA" ? s.priceEma : s.flowEma}`).join(",")}`;
  if (key !== sharesKey) {
    sharesKey = key;
    const shares = sharesFromEmas(rule, rules!.flowCutoff, list) ?? {};
    sharesValue = Object.fromEntries(Object.entries(shares).map(([n, v]) => [n, v.toString()]));
  }
  for (const s of list) s.emissionShare = sharesValue[s.netuid] ?? "0";
}

/** Spot net worth from one's own holdings: free + root + alpha × spot price (the engine's spotValue). */
export function spotNetWorth(p: Pick<SyncedPlayer, "tao" | "rootStake" | "alpha">, subnets: Record<string, SyncedSubnet>): string {
  return amt(spotValue(p, subnets));
}

export function fromWire(raw: WireState, me: string | null, tape: PriceTape | null = null): SyncedState {
  const subnets: Record<string, SyncedSubnet> = {};
  for (const [k, s] of Object.entries(raw.subnets ?? {})) subnets[k] = subnet(s, tape);
  const players: Record<string, SyncedPlayer> = {};
  for (const [k, p] of Object.entries(raw.players ?? {})) {
    const holdings = p.tao !== undefined;
    const base = {
      ...p, acted: p.acted ?? false, tao: p.tao ?? "0", rootStake: p.rootStake ?? "0", alpha: p.alpha ?? {}, take: p.take ?? "",
      worth: p.worth ?? 0,
    };
    // Our own worth moves with every trade and price; everyone else's is the last round's close.
    players[k] = { ...base, holdings, netWorth: holdings && k === me ? spotNetWorth(base, subnets) : String(base.worth) };
  }
  withDerivedShares(subnets, raw.rules);
  const validators: Record<string, SyncedValidator> = {};
  for (const [k, v] of Object.entries(raw.validators ?? {})) validators[k] = { ...v, rootStake: f32(v.rootStake) };
  return { ...raw, subnets, players, validators };
}
