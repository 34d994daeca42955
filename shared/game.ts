/**
 * Creating a game: the starting market (subnets with pools, NPC builders, the root validators with
 * the pre-dTAO concentration, NPC traders) from a config and a seed. Deterministic.
 */
import { resolveConfig } from "./scenarios.js";
import { type GameConfig, type GameConfigInput, switchesOf } from "./config.js";
import { amt, dec, Decimal, type Dec, floorRao, sum, ZERO } from "./decimal.js";
import { withPosition } from "./ledger.js";
import { subnetName, validatorName } from "./names.js";
import { Rng } from "./rng.js";
import {
  type Effort, type GameState, MINERS_ID, type NpcKind, type Player, type PlayerId, type Role, ROOT_NETUID, type Subnet,
} from "./state.js";
import type { EngineError } from "./errors.js";

export class ConfigError extends Error {
  constructor(readonly error: EngineError) {
    super(error.message);
  }
}

/**
 * Share of root stake held by each of n validators, top first: the real concentration before dTAO
 * (mechanics §9: top 5 > 65%, top 10 ≈ 85%), the tail sharing the rest with 1/k weights.
 */
export function rootStakeLadder(n: number): number[] {
  const head = [0.25, 0.135, 0.11, 0.09, 0.075, 0.06, 0.05, 0.04, 0.025, 0.015];
  if (n <= head.length) {
    const h = head.slice(0, n);
    const t = h.reduce((a, b) => a + b, 0);
    return h.map((x) => x / t);
  }
  const tailWeights = Array.from({ length: n - head.length }, (_, k) => 1 / (k + 1));
  const tw = tailWeights.reduce((a, b) => a + b, 0);
  return [...head, ...tailWeights.map((w) => (0.15 * w) / tw)];
}

export function newPlayer(id: PlayerId, name: string, role: Role, npc: NpcKind | null, round: number, effort?: Effort): Player {
  return {
    id, name, role, npc, tao: "0", rootStake: "0", alpha: {}, stakes: {}, take: null, rootClaim: "swap",
    effort: effort ?? { research: 0.5, product: 0.5 }, affiliation: [], joinedRound: round, granted: "0",
  };
}

export function newSubnet(
  netuid: number, name: string, owner: PlayerId, round: number, taoReserve: Dec, alphaReserve: Dec, locked: Dec,
  config: GameConfig, rng: Rng,
): Subnet {
  const price = taoReserve.div(alphaReserve); // full precision; stored rounded down
  return {
    netuid: String(netuid), name, owner, registeredRound: round,
    taoReserve: amt(taoReserve), alphaReserve: amt(alphaReserve), alphaOut: "0", alphaIssued: amt(alphaReserve),
    price: amt(price), priceEma: amt(Decimal.min(price, 1)), flowEma: "0", flowThisRound: "0",
    emissionShare: "0", lastEmission: "0", locked: amt(locked), consensus: [], priceHistory: [amt(price)],
    capability: Math.max(0.2, rng.lognormal(0.4)),
    pipeline: Array.from({ length: config.researchDelayRounds }, () => 0),
    product: 0.3 + 0.4 * rng.next(),
    minerStrength: 1,
    minerSkill: Array.from({ length: config.minersPerSubnet }, () => rng.lognormal(0.35)),
  };
}

const BUILDER_STYLES: Effort[] = [
  { research: 0.8, product: 0.2 }, { research: 0.2, product: 0.8 }, { research: 0.5, product: 0.5 },
];

export function createGame(configInput: GameConfigInput | GameConfig, seed: number): GameState {
  const resolved = resolveConfig(configInput as GameConfigInput);
  if (!resolved.ok) throw new ConfigError(resolved.error);
  const config = resolved.value;
  const rng = new Rng(Rng.seedState(seed));
  const players: Record<PlayerId, Player> = {};
  const order: PlayerId[] = [];
  const add = (p: Player) => {
    players[p.id] = p;
    order.push(p.id);
  };

  add(newPlayer(MINERS_ID, "Miners", "staker", "miners", 0));

  // Subnets, each owned by an NPC builder with its own research/product style.
  const subnets: Record<string, Subnet> = {};
  const taoLow = dec(config.poolTaoLow);
  const taoHigh = dec(config.poolTaoHigh);
  for (let i = 0; i < config.initialSubnets; i++) {
    const netuid = i + 1;
    const ownerId = `npc:b${netuid}`;
    add(newPlayer(ownerId, `${subnetName(i)} team`, "builder", "builder", 0, BUILDER_STYLES[i % BUILDER_STYLES.length]));
    const tao = floorRao(taoLow.plus(taoHigh.minus(taoLow).mul(rng.next().toFixed(6))));
    const price = new Decimal(config.priceLow + (config.priceHigh - config.priceLow) * rng.next()).toSignificantDigits(6);
    const alpha = floorRao(tao.div(price)); // rounds down: the pool never starts with more alpha than paid for
    subnets[String(netuid)] = newSubnet(netuid, subnetName(i), ownerId, 0, tao, alpha, ZERO, config, rng);
  }

  // Root validators with the pre-dTAO concentration; the top ones favour a few subnets (the cartel).
  const ladder = rootStakeLadder(config.rootValidators);
  const rootTotal = dec(config.npcRootStake);
  const validators: PlayerId[] = [];
  const netuids = Object.keys(subnets);
  ladder.forEach((frac, k) => {
    const id = `npc:v${k + 1}`;
    let v: Player = { ...newPlayer(id, validatorName(k), "validator", "validator", 0), take: config.defaultTake };
    v = withPosition(v, ROOT_NETUID, id, floorRao(rootTotal.mul(frac.toFixed(12))));
    if (k < 5 && netuids.length > 0) v = { ...v, affiliation: [netuids[k % netuids.length]] };
    add(v);
    validators.push(id);
  });

  // Alpha already outstanding in each starting subnet (a live market, not a fresh launch): the owner
  // team holds a fifth, three of the ten largest validators the rest, staked to themselves.
  for (const s of Object.values(subnets)) {
    const outstanding = floorRao(dec(s.alphaReserve).mul(rng.range(1, 2).toFixed(6)));
    const ownerPart = floorRao(outstanding.mul("0.2"));
    players[s.owner] = withPosition(players[s.owner], s.netuid, s.owner, ownerPart);
    const holders = new Set<PlayerId>();
    while (holders.size < Math.min(3, validators.length)) holders.add(validators[rng.int(Math.min(10, validators.length))]);
    const each = floorRao(outstanding.minus(ownerPart).div(holders.size));
    let left = outstanding.minus(ownerPart);
    [...holders].forEach((v, i) => {
      const part = i === holders.size - 1 ? left : each;
      players[v] = withPosition(players[v], s.netuid, v, part);
      left = left.minus(part);
    });
    subnets[s.netuid] = { ...s, alphaOut: amt(outstanding), alphaIssued: amt(dec(s.alphaReserve).plus(outstanding)) };
  }

  // NPC traders: they act inside each resolution, from seeded randomness.
  const traderTao = dec(config.traderTao);
  const traders: [NpcKind, number, string][] = [
    ["noise", config.npcNoiseTraders, "Noise trader"],
    ["momentum", config.npcMomentumTraders, "Momentum fund"],
    ["fundamental", config.npcFundamentalTraders, "Value fund"],
    ["whale", config.npcWhales, "Whale"],
  ];
  for (const [kind, count, label] of traders) {
    for (let k = 0; k < count; k++) {
      const id = `npc:${kind}${k + 1}`;
      const grant = kind === "whale" ? traderTao.mul(3) : traderTao;
      add({ ...newPlayer(id, count > 1 ? `${label} ${k + 1}` : label, "staker", kind, 0), tao: amt(grant), granted: amt(grant) });
    }
  }

  const inGame = sum(order.map((id) => sum([players[id].tao, players[id].rootStake])))
    .plus(sum(Object.values(subnets).map((s) => s.taoReserve)));
  const issuance = dec(config.initialIssuance);
  if (inGame.gt(issuance)) {
    throw new ConfigError({ code: "action/malformed", message: "initialIssuance is smaller than the TAO the starting market holds" });
  }
  const switches = switchesOf(config);
  let state: GameState = {
    version: 1, config, seed, rng: rng.state(), phase: "lobby", round: 0, ruleset: config.ruleset, block: 0,
    issuance: amt(issuance), outside: amt(issuance.minus(inGame)), recycled: "0",
    players, playerOrder: order, subnets, validators, weights: {}, pendingWeights: {}, bonds: {}, signals: {},
    lastLockCost: config.minLockCost, lastRegistrationRound: -1_000_000, nextNetuid: config.initialSubnets + 1,
    queuedShocks: [], events: [],
  };
  if (switches.emissionRule === "taoFlow") state = seedFlowEma(state);
  return state;
}

/** At the switch to Taoflow the chain seeded every flow EMA from min(price, price EMA) (§2b). */
export function seedFlowEma(state: GameState): GameState {
  const subnets: Record<string, Subnet> = {};
  for (const [k, s] of Object.entries(state.subnets)) {
    const seedFlow = Decimal.min(dec(s.price), dec(s.priceEma)).mul(FLOW_SEED_TAO_PER_PRICE);
    subnets[k] = { ...s, flowEma: amt(seedFlow) };
  }
  return { ...state, subnets };
}

/** TAO of flow EMA per unit of price at a Taoflow switch (game scale; the chain used 1 TAO per block per price). */
export const FLOW_SEED_TAO_PER_PRICE = "10";
