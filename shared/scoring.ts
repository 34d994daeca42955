/**
 * Scoring: net worth in TAO at spot, and at liquidation value (what selling every alpha
 * position into its pool really returns, slippage included, each pool on its own). Awards per role.
 */
import { swapParams } from "./access.js";
import { dec, type Dec, ZERO } from "./decimal.js";
import { liquidationValue, type PoolReserves } from "./pool.js";
import type { RoundReport } from "./report.js";
import { type GameState, type Netuid, type Player, type PlayerId, type Role } from "./state.js";

export interface NetWorth {
  readonly spot: string;
  readonly liquidation: string;
  /** Liquidation value minus the TAO the player was granted. */
  readonly profit: string;
}

/**
 * Spot value in TAO of some holdings: free TAO, root stake, and each alpha position at its pool's
 * spot price (not quantised). The engine's leaderboard, the server's synced `worth` and a client's
 * own live net worth (its synced pools have the same reserve strings) all use it.
 */
export function spotValue(
  holdings: Pick<Player, "tao" | "rootStake" | "alpha">, pools: Readonly<Record<Netuid, PoolReserves | undefined>>,
): Dec {
  let spot = dec(holdings.tao).plus(dec(holdings.rootStake));
  for (const n in holdings.alpha) {
    const s = pools[n];
    // A pool always keeps a reserve floor; a client's view of one that is not synced yet has none.
    if (!s || dec(s.alphaReserve).isZero()) continue;
    spot = spot.plus(dec(holdings.alpha[n]).mul(dec(s.taoReserve)).div(dec(s.alphaReserve)));
  }
  return spot;
}

export function netWorth(state: GameState, id: PlayerId): NetWorth {
  const p = state.players[id];
  let liq = dec(p.tao).plus(dec(p.rootStake));
  const params = swapParams(state);
  for (const [n, a] of Object.entries(p.alpha)) {
    const s = state.subnets[n];
    if (!s) continue;
    liq = liq.plus(liquidationValue(s, dec(a), params));
  }
  const spot = spotValue(p, state.subnets);
  return { spot: spot.toDecimalPlaces(9).toString(), liquidation: liq.toString(), profit: liq.minus(dec(p.granted)).toString() };
}

export interface LeaderboardRow {
  readonly id: PlayerId;
  readonly name: string;
  readonly role: Role;
  readonly spot: string;
  readonly liquidation: string;
  readonly profit: string;
}

/** People only (NPCs are scenery), ranked by liquidation value. */
export function leaderboard(state: GameState): LeaderboardRow[] {
  return state.playerOrder
    .filter((id) => state.players[id].npc === null && state.players[id].role !== "spectator")
    .map((id) => ({ id, name: state.players[id].name, role: state.players[id].role, ...netWorth(state, id) }))
    .sort((a, b) => dec(b.liquidation).cmp(a.liquidation) || (a.id < b.id ? -1 : 1));
}

export interface Award {
  readonly title: string;
  readonly role: Role;
  readonly id: PlayerId;
  readonly name: string;
  readonly detail: string;
}

/** Awards per role: best staker by profit; builder whose subnet ended with the highest true quality; validator with most dividends. */
export function awards(state: GameState, reports: readonly RoundReport[]): Award[] {
  const out: Award[] = [];
  const board = leaderboard(state);
  const staker = board.find((r) => r.role === "staker");
  if (staker) out.push({ title: "Best staker", role: "staker", id: staker.id, name: staker.name, detail: `profit ${Number(staker.profit).toFixed(2)} τ at liquidation value` });
  let bestBuilder: { id: PlayerId; q: number; name: string } | undefined;
  for (const s of Object.values(state.subnets)) {
    const owner = state.players[s.owner];
    if (!owner || owner.npc !== null) continue;
    const q = s.capability + 0.5 * s.product;
    if (!bestBuilder || q > bestBuilder.q) bestBuilder = { id: owner.id, q, name: owner.name };
  }
  if (bestBuilder) out.push({ title: "Best builder", role: "builder", id: bestBuilder.id, name: bestBuilder.name, detail: `subnet true quality ${bestBuilder.q.toFixed(2)}` });
  const earned = new Map<PlayerId, Dec>();
  for (const r of reports) {
    for (const [id, inc] of Object.entries(r.income)) {
      const p = state.players[id];
      if (!p || p.npc !== null || p.role !== "validator") continue;
      let v = dec(inc.rootTao);
      for (const [n, a] of Object.entries(inc.alpha)) v = v.plus(dec(a).mul(state.subnets[n]?.price ?? "0"));
      earned.set(id, (earned.get(id) ?? ZERO).plus(v));
    }
  }
  const bestV = [...earned.entries()].sort((a, b) => b[1].cmp(a[1]) || (a[0] < b[0] ? -1 : 1))[0];
  if (bestV) out.push({ title: "Best validator", role: "validator", id: bestV[0], name: state.players[bestV[0]].name, detail: `${bestV[1].toFixed(2)} τ of dividends at today's prices` });
  return out;
}
