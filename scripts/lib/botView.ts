/**
 * What a websocket bot knows, rebuilt from the synced state: shared by `npm run bots` (scripts/bots.ts)
 * and `npm run loadtest` (scripts/loadtest.ts). A bot sees only what any player sees: the synced
 * state plus its own `signals` message.
 */
import {
  amt, dec, fromWireRao, type GameConfig, spotPrice, sharesFromEmas, ZERO, type HistoryMessage, observeTape, type PriceTape, tapeFromHistory, tapeSeries, type Player, type PlayerView, type PublicSubnet, resolveConfig, Rng, type Role, type RulesetName,
  ROLES, type ValidatorSignals,
} from "../../shared/index.js";
import type { PublicValidator } from "../../shared/view.js";
import type { ArenaState, PlayerState, SubnetState } from "../../server/room/schema.js";

/** Each bot's own generator, from the run's seed and the bot's index. */
export function botRng(seed: number, index: number): Rng {
  return new Rng(Rng.seedState((Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) | 0));
}

/** What a bot remembers about itself (the synced state does not carry these). */
export interface BotMemory {
  /** The TAO it had when it first saw itself (a join grants exactly this). */
  granted: string;
  /** Rounds resolved when it first saw itself. */
  joinedRound: number;
}

/** The synced state's round counts the round being played; the engine's counts rounds resolved. */
export function resolvedRounds(s: Pick<ArenaState, "phase" | "round">): number {
  return s.phase === "acting" ? Math.max(0, s.round - 1) : s.round;
}

/** float32 on the wire: round so 0.8 stays 0.8 (bots compare efforts to 1e-9). */
function unfloat(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function entries<V>(m: { forEach(cb: (value: V, key: string) => void): void }): [string, V][] {
  const out: [string, V][] = [];
  m.forEach((v, k) => out.push([k, v]));
  return out;
}

/** A synced pool's spot price, to the rao (as the engine keeps `price`). */
function priceOf(s: SubnetState): string {
  const pool = { taoReserve: fromWireRao(s.taoRao), alphaReserve: fromWireRao(s.alphaRao) };
  return dec(pool.alphaReserve).isZero() ? "0" : amt(spotPrice(pool));
}

/**
 * The bot's price tape after seeing the synced state: call on every `history` message (with the
 * message) and before each decision (without), as the browser client does (client/src/synced.ts).
 */
export function observeSyncTape(tape: PriceTape | null, s: Pick<ArenaState, "block" | "subnets">, history?: HistoryMessage): PriceTape | null {
  const seeded = history ? tapeFromHistory(history) : tape;
  if (!seeded || s.block <= seeded.block) return seeded;
  return observeTape(seeded, s.block, entries<SubnetState>(s.subnets).map(([, v]) => ({ netuid: v.netuid, registeredRound: v.registeredRound, price: priceOf(v) })));
}

/** A synced pool as the engine's PublicSubnet (values the state does not carry: alphaOut, lastEmission, as "0"). */
function publicSubnet(s: SubnetState, tape: PriceTape | null): PublicSubnet {
  return {
    netuid: s.netuid, name: s.name, owner: s.owner, registeredRound: s.registeredRound, taoReserve: fromWireRao(s.taoRao),
    alphaReserve: fromWireRao(s.alphaRao), alphaOut: "0", price: priceOf(s),
    priceEma: String(s.priceEma), flowEma: String(s.flowEma), emissionShare: String(s.emissionShare), lastEmission: "0",
    priceHistory: [...tapeSeries(tape, s.netuid, s.registeredRound)], product: s.product, minerCount: s.minerCount, immune: s.immune,
  };
}

/**
 * Chain parameters are not synced: the scenario's (they are not changed during a game). Resolved once
 * per scenario and rule set (zod parsing on every view was most of a bot's cost).
 */
const configCache = new Map<string, GameConfig>();
function scenarioConfig(scenario: string, ruleset: string): GameConfig {
  const key = `${scenario}\n${ruleset}`;
  let config = configCache.get(key);
  if (!config) {
    const resolved = resolveConfig({ scenario, ruleset: ruleset as RulesetName });
    if (resolved.ok) config = resolved.value;
    else {
      const fallback = resolveConfig({});
      if (!fallback.ok) throw new Error(fallback.error.message);
      config = fallback.value;
    }
    configCache.set(key, config);
  }
  return config;
}

/**
 * The PlayerView a bot can rebuild from the synced state plus its own signals. What the state does
 * not carry is approximated: NPC validators are absent (only people who validate are listed, with
 * their own root stake), positions are keyed by an unknown validator ("?"), the root claim mode is
 * "swap", root consensus is absent, and chain parameters come from the scenario's defaults.
 */
/** The `signals` message: a validator's signals plus the consensus revealed last round. */
export type SignalsMessage = ValidatorSignals & { consensus?: Record<string, number[]> };

function withoutConsensus(m: SignalsMessage): ValidatorSignals {
  const { consensus: _consensus, ...signals } = m;
  return signals;
}

export function viewFromSync(s: ArenaState, playerId: string, signals: SignalsMessage | null, memory: BotMemory, tape: PriceTape | null = null): PlayerView {
  const round = resolvedRounds(s);
  const config = scenarioConfig(s.scenario, s.ruleset);
  const synced = entries<SubnetState>(s.subnets).map(([, v]) => publicSubnet(v, tape)).sort((a, b) => Number(a.netuid) - Number(b.netuid));
  // Under the market rules the shares are the EMAs' (as the browser client derives them).
  const shares = sharesFromEmas(s.rules.emissionRule, s.rules.flowCutoff, synced);
  const subnets = shares ? synced.map((x) => ({ ...x, emissionShare: (shares[x.netuid] ?? ZERO).toString() })) : synced;
  const players = entries<PlayerState>(s.players).map(([, p]) => p);

  // Revealed Yuma consensus per miner: validators get it with their signals (nobody else does).
  const consensusWeights: Record<string, Record<string, number>> = {};
  s.subnets.forEach((sub) => {
    const xs = signals?.consensus?.[sub.netuid] ?? [];
    const total = xs.reduce((a, b) => a + (b > 0 ? b : 0), 0);
    if (!(total > 0)) return;
    const row: Record<string, number> = {};
    xs.forEach((c, uid) => { if (c > 0) row[String(uid)] = c / total; });
    consensusWeights[sub.netuid] = row;
  });

  // People who validate (the synced validator list also has NPCs, which the old view left out).
  const validators: PublicValidator[] = players
    .filter((p) => p.role === "validator")
    .map((p) => { const v = s.validators.get(p.id); return { id: p.id, name: p.name, take: v?.take || config.defaultTake, rootStake: String(v?.rootStake ?? 0), npc: false }; });

  const p = s.players.get(playerId);
  let me: Player | null = null;
  if (p) {
    const alpha = Object.fromEntries(entries<string>(p.alpha));
    const stakes: Record<string, Record<string, string>> = {};
    for (const [n, a] of Object.entries(alpha)) stakes[n] = { "?": a };
    if (Number(p.rootStake) > 0) stakes["0"] = { "?": p.rootStake };
    const research = unfloat(p.research);
    me = {
      id: p.id, name: p.name, role: (ROLES as readonly string[]).includes(p.role) ? (p.role as Role) : "spectator", npc: null,
      tao: p.tao, rootStake: p.rootStake, alpha, stakes, take: p.take || null, rootClaim: "swap",
      effort: { research, product: unfloat(1 - research) }, affiliation: [], joinedRound: memory.joinedRound, granted: memory.granted,
    };
  }

  return {
    round,
    totalRounds: s.totalRounds,
    phase: s.phase === "lobby" ? "lobby" : s.phase === "ended" ? "ended" : "acting",
    ruleset: s.ruleset as RulesetName,
    me,
    subnets,
    validators,
    signals: signals && signals.round === round + 1 ? withoutConsensus(signals) : null,
    consensusWeights,
    lockCost: s.lockCost,
    // A registration this round shows as a subnet registered in the round being played.
    registrationOpen: !subnets.some((sub) => sub.registeredRound === round + 1),
    config: {
      minStake: config.minStake, poolFee: config.poolFee, minPoolReserve: config.minPoolReserve,
      tempoBlocks: config.tempoBlocks, subnetLimit: config.subnetLimit, immunityRounds: config.immunityRounds,
    },
  };
}
