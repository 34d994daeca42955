/** Small read helpers over the state shared by several steps. */
import { dec, type Dec } from "./decimal.js";
import type { SwapParams } from "./pool.js";
import type { GameState, Netuid, Player, PlayerId, Subnet } from "./state.js";

export function swapParams(state: GameState): SwapParams {
  return { fee: dec(state.config.poolFee), minReserve: dec(state.config.minPoolReserve) };
}

/** Fee-free swaps the protocol makes (root sells, excess buys): the swap pallet waives the fee (§4). */
export function protocolSwapParams(state: GameState): SwapParams {
  return { fee: dec(0), minReserve: dec(state.config.minPoolReserve) };
}

/** The validator a staker delegates to when none is named: itself if it validates, else the largest NPC. */
export function defaultValidator(state: GameState, player: Player): PlayerId {
  if (player.role === "validator" && state.validators.includes(player.id)) return player.id;
  return state.validators.find((v) => state.players[v]?.npc === "validator") ?? state.validators[0];
}

export function isImmune(state: GameState, subnet: Subnet): boolean {
  return subnet.registeredRound > 0 && state.round - subnet.registeredRound < state.config.immunityRounds;
}

export function subnetList(state: GameState): Subnet[] {
  return Object.values(state.subnets).sort((a, b) => Number(a.netuid) - Number(b.netuid));
}

export function netuidsOf(state: GameState): Netuid[] {
  return subnetList(state).map((s) => s.netuid);
}

/** Total root stake in the game (T_root), TAO. */
export function totalRootStake(state: GameState): Dec {
  let t = dec(0);
  for (const id of state.playerOrder) {
    const r = state.players[id].rootStake;
    if (r !== "0") t = t.plus(dec(r)); // adding 0 changes nothing
  }
  return t;
}

/** Own plus delegated stake of each validator on a subnet ("0" for root). */
export function stakeByValidator(state: GameState, netuid: Netuid): Map<PlayerId, Dec> {
  const out = new Map<PlayerId, Dec>();
  for (const id of state.playerOrder) {
    const book = state.players[id].stakes[netuid];
    if (!book) continue;
    for (const v in book) out.set(v, (out.get(v) ?? dec(0)).plus(dec(book[v])));
  }
  return out;
}

/** Stake per (subnet, validator) for every subnet and root in one pass over the players. */
export function stakeIndex(state: GameState): Map<Netuid, Map<PlayerId, Dec>> {
  const out = new Map<Netuid, Map<PlayerId, Dec>>();
  for (const id of state.playerOrder) {
    const stakes = state.players[id].stakes;
    for (const netuid in stakes) {
      let m = out.get(netuid);
      if (!m) out.set(netuid, (m = new Map()));
      const book = stakes[netuid];
      for (const v in book) m.set(v, (m.get(v) ?? dec(0)).plus(dec(book[v])));
    }
  }
  return out;
}
