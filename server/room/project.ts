/**
 * project(): the one function that writes engine state into the Colyseus schema. It only assigns
 * fields whose value changed, so the schema's delta encoding sends little each patch.
 */
import { type Dec, dec, type EcosystemMetrics, type GameState, isImmune, lockCost, type Player, type Subnet, spotValue, switchesOf, toWireRao, ZERO } from "../../shared/index.js";
import { ArenaState, EventState, PlayerState, SubnetState, ValidatorState } from "./schema.js";

/** Events kept in the synced feed. */
export const SYNCED_EVENTS = 20;

/**
 * Single trades are not news: every client sees the pools move, and each trader gets its own
 * result. Sent to all 40 players of a class, one line per trade was most of their traffic, so the
 * feed carries the game's events (joins, registrations, shocks, prunes, rule changes, rounds).
 */
const TRADE_KINDS = new Set(["stake", "unstake", "stakeRoot", "unstakeRoot"]);

function feedEvents(all: GameState["events"]): GameState["events"] {
  const out: GameState["events"][number][] = [];
  for (let i = all.length - 1; i >= 0 && out.length < SYNCED_EVENTS; i--) if (!TRADE_KINDS.has(all[i].kind)) out.push(all[i]);
  return out.reverse();
}

export interface RoomFacts {
  code: string;
  phase: "lobby" | "acting" | "resolving" | "ended";
  paused: boolean;
  deadline: number;
  pausedRemainingMs: number;
  connected: ReadonlySet<string>;
  bots: ReadonlySet<string>;
  acted: ReadonlySet<string>;
  metrics: EcosystemMetrics | null;
}

/**
 * A display-only number at the precision it is shown with (as float32): values that drift a little
 * every round (product traction, root stake through a validator) then change on the wire only when
 * a player could see the difference.
 */
export function shown(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Math.fround(Number(x.toPrecision(digits))) : 0;
}

function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
  if (target[key] !== value) target[key] = value;
}


/**
 * Make the synced feed equal `events` (a function of the engine's retained events, so a restarted
 * server shows the same feed): usually the feed slid on, so drop its oldest lines and append the
 * new ones; otherwise rebuild it.
 */
function syncFeed(target: ArenaState, events: GameState["events"]): void {
  const feed = target.events;
  const same = (i: number, e: GameState["events"][number]) => feed[i].text === e.text && feed[i].round === e.round && feed[i].kind === e.kind;
  // The smallest k such that feed[k..] is a prefix of events (k = feed.length always is: a rebuild).
  let drop = feed.length;
  for (let k = 0; k < feed.length; k++) {
    let ok = true;
    for (let i = k; i < feed.length && ok; i++) ok = i - k < events.length && same(i, events[i - k]);
    if (ok) { drop = k; break; }
  }
  for (let k = 0; k < drop; k++) feed.shift();
  for (const e of events.slice(feed.length)) {
    const ev = new EventState();
    ev.round = e.round;
    ev.kind = e.kind;
    ev.text = e.text;
    feed.push(ev);
  }
}

/** NPC validators listed to players: the largest by root stake (people who validate are all listed). */
export const SYNCED_NPC_VALIDATORS = 16;

/**
 * The validators a client is shown: every person who validates, and the NPC validators with the
 * most root stake (a wallet's list of top validators; the root-weights scenarios have 64, whose
 * stakes move every round and would each cost every client bytes every round).
 */
function listedValidators(state: GameState, rootBy: Map<string, Dec>): Set<string> {
  const npcs = state.validators.filter((id) => state.players[id]?.npc !== null && state.players[id] !== undefined);
  const top = npcs
    .map((id) => [id, rootBy.get(id) ?? ZERO] as const)
    .sort((a, b) => b[1].cmp(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, SYNCED_NPC_VALIDATORS)
    .map(([id]) => id);
  const top16 = new Set(top);
  return new Set(state.validators.filter((id) => state.players[id] && (state.players[id].npc === null || top16.has(id))));
}


/**
 * What the last projection into a target was made from. Engine state is immutable and shares every
 * record a change did not touch, so an unchanged reference means an unchanged projection: after an
 * intent only the player and the pool it touched are walked again, not the whole market.
 */
interface Projected {
  config: GameState["config"] | null;
  lockKey: string;
  subnets: Map<string, { src: Subnet; immune: boolean; rule: string; owner: string }>;
  players: Map<string, { src: Player; connected: boolean; bot: boolean; acted: boolean }>;
  /** Each player's root book when root stake per validator was last summed. */
  rootBooks: Map<string, unknown>;
  playersRecord: GameState["players"] | null;
  validators: readonly string[] | null;
  /** Round (and phase) whose close the synced `worth` values describe. */
  worthAt: string;
  events: GameState["events"] | null;
}

const projected = new WeakMap<ArenaState, Projected>();

function cacheOf(target: ArenaState): Projected {
  let c = projected.get(target);
  if (!c) {
    c = { config: null, lockKey: "", subnets: new Map(), players: new Map(), rootBooks: new Map(), playersRecord: null, validators: null, worthAt: "", events: null };
    projected.set(target, c);
  }
  return c;
}

export function project(target: ArenaState, state: GameState, facts: RoomFacts): void {
  const cache = cacheOf(target);
  set(target, "code", facts.code);
  set(target, "phase", facts.phase);
  set(target, "paused", facts.paused);
  set(target, "round", facts.phase === "lobby" ? 0 : Math.min(state.round + (facts.phase === "acting" ? 1 : 0), state.config.rounds));
  set(target, "deadline", facts.deadline);
  set(target, "pausedRemainingMs", facts.pausedRemainingMs);
  set(target, "ruleset", state.ruleset);
  set(target, "issuance", state.issuance);
  set(target, "block", state.block);
  const lockKey = `${state.round}|${state.lastLockCost}|${state.lastRegistrationRound}`;
  if (cache.config !== state.config || cache.lockKey !== lockKey) {
    cache.lockKey = lockKey;
    set(target, "lockCost", lockCost(state).toString());
  }
  if (cache.config !== state.config) {
    cache.config = state.config;
    const sw = switchesOf(state.config);
    set(target, "scenario", state.config.scenario);
    set(target, "totalRounds", state.config.rounds);
    set(target, "emissionRule", sw.emissionRule);
    const r = target.rules;
    set(r, "emissionRule", sw.emissionRule);
    set(r, "excessRule", sw.excessRule);
    set(r, "rootPayout", sw.rootPayout);
    set(r, "priceEmaRate", state.config.priceEmaRate);
    set(r, "priceEmaHalvingRounds", state.config.priceEmaHalvingRounds);
    set(r, "flowEmaRate", state.config.flowEmaRate);
    set(r, "flowCutoff", state.config.flowCutoff);
    set(r, "poolFee", state.config.poolFee);
    set(r, "minPoolReserve", state.config.minPoolReserve);
    set(r, "minStake", state.config.minStake);
    set(r, "defaultTake", state.config.defaultTake);
    set(r, "tempoBlocks", state.config.tempoBlocks);
    set(r, "subnetLimit", state.config.subnetLimit);
    set(r, "immunityRounds", state.config.immunityRounds);
    set(r, "maxPlayers", state.config.maxPlayers);
  }
  const rule = target.emissionRule;

  for (const key of [...target.subnets.keys()]) if (!state.subnets[key]) { target.subnets.delete(key); cache.subnets.delete(key); }
  for (const n in state.subnets) {
    const s = state.subnets[n];
    const immune = isImmune(state, s);
    const owner = state.players[s.owner]?.name ?? "";
    const seen = cache.subnets.get(n);
    if (seen && seen.src === s && seen.immune === immune && seen.rule === rule && seen.owner === owner) continue;
    cache.subnets.set(n, { src: s, immune, rule, owner });
    let v = target.subnets.get(s.netuid);
    if (!v) { v = new SubnetState(); target.subnets.set(s.netuid, v); }
    set(v, "netuid", s.netuid);
    set(v, "name", s.name);
    set(v, "owner", s.owner);
    set(v, "ownerName", owner);
    set(v, "registeredRound", s.registeredRound);
    set(v, "immune", immune);
    set(v, "taoRao", toWireRao(s.taoReserve));
    set(v, "alphaRao", toWireRao(s.alphaReserve));
    // Only the EMA the rule in force reads travels (every subnet's changes every round).
    // (the other is 0, so the synced state is a function of the engine state alone).
    if (rule === "taoFlow") {
      set(v, "flowEma", Math.fround(Number(s.flowEma)));
      set(v, "flowThisRound", Number(s.flowThisRound));
      set(v, "priceEma", 0);
    } else {
      set(v, "priceEma", Math.fround(Number(s.priceEma)));
      set(v, "flowThisRound", 0);
      set(v, "flowEma", 0);
    }
    // Under the market rules a client derives the shares from the EMAs (shared/shares.ts, as the
    // engine does); only root weights, which are not public, need the shares themselves.
    set(v, "emissionShare", rule === "rootWeights" ? Math.fround(Number(s.emissionShare)) : 0);
    set(v, "product", shown(s.product, 3));
    set(v, "minerCount", s.minerSkill.length);
  }

  if (cache.playersRecord !== state.players || cache.validators !== state.validators) {
    let rootChanged = cache.validators !== state.validators;
    for (const id of state.playerOrder) {
      const book = state.players[id].stakes["0"];
      if (cache.rootBooks.get(id) !== book) { rootChanged = true; cache.rootBooks.set(id, book); }
    }
    if (rootChanged) {
      const rootByValidator = new Map<string, Dec>();
      for (const id of state.playerOrder) {
        const book = state.players[id].stakes["0"];
        if (book) for (const v in book) rootByValidator.set(v, (rootByValidator.get(v) ?? ZERO).plus(book[v]));
      }
      let total = ZERO;
      for (const x of rootByValidator.values()) total = total.plus(x);
      set(target, "rootTotal", shown(total.toNumber(), 6));
      const listed = listedValidators(state, rootByValidator);
      for (const key of [...target.validators.keys()]) if (!listed.has(key)) target.validators.delete(key);
      for (const id of listed) {
        const p = state.players[id];
        if (!p) continue;
        let v = target.validators.get(id);
        if (!v) { v = new ValidatorState(); target.validators.set(id, v); }
        set(v, "id", id);
        set(v, "name", p.name);
        set(v, "npc", p.npc !== null);
        set(v, "take", p.take ?? "0");
        set(v, "rootStake", shown((rootByValidator.get(id) ?? ZERO).toNumber(), 4));
      }
    } else {
      // Names and takes can change without any root stake moving.
      for (const id of target.validators.keys()) {
        const p = state.players[id];
        const v = target.validators.get(id);
        if (p && v) { set(v, "name", p.name); set(v, "take", p.take ?? "0"); }
      }
    }
  }

  // People only: NPCs are scenery and would bloat every patch.
  const worthAt = `${state.round}|${facts.phase}`;
  const worthDue = cache.worthAt !== worthAt;
  cache.worthAt = worthAt;
  {
    // Presence and "acted" change without the engine state changing, so every person is compared.
    for (const key of [...target.players.keys()]) {
      const p = state.players[key];
      if (!p || p.npc !== null) { target.players.delete(key); cache.players.delete(key); }
    }
    for (const id of state.playerOrder) {
      const p = state.players[id];
      if (p.npc !== null) continue;
      const connected = facts.connected.has(id);
      const bot = facts.bots.has(id);
      const acted = facts.acted.has(id);
      const seen = cache.players.get(id);
      let v = target.players.get(id);
      if (!worthDue && v && seen && seen.src === p && seen.connected === connected && seen.bot === bot && seen.acted === acted) continue;
      cache.players.set(id, { src: p, connected, bot, acted });
      const fresh = !v;
      if (!v) { v = new PlayerState(); target.players.set(id, v); }
      set(v, "id", id);
      set(v, "name", p.name);
      set(v, "role", p.role);
      set(v, "connected", connected);
      set(v, "bot", bot);
      set(v, "acted", acted);
      set(v, "research", Math.fround(p.effort.research));
      set(v, "tao", p.tao);
      set(v, "rootStake", p.rootStake);
      for (const n of [...v.alpha.keys()]) if (!(n in p.alpha)) v.alpha.delete(n);
      for (const n in p.alpha) if (v.alpha.get(n) !== p.alpha[n]) v.alpha.set(n, p.alpha[n]);
      set(v, "take", p.take ?? "");
      // The leaderboard moves at round boundaries (and when someone arrives), not with every trade.
      if (worthDue || fresh) set(v, "worth", Math.fround(spotValue(p, state.subnets).toNumber()));
    }
  }
  cache.playersRecord = state.players;
  cache.validators = state.validators;

  if (cache.events !== state.events) {
    cache.events = state.events;
    syncFeed(target, feedEvents(state.events));
  }

  if (facts.metrics) {
    const m = target.metrics;
    set(m, "nakamoto", facts.metrics.nakamoto);
    set(m, "hhi", Math.fround(facts.metrics.hhi));
    set(m, "stakeGini", Math.fround(facts.metrics.stakeGini));
    set(m, "qualityCorrelation", Math.fround(facts.metrics.qualityCorrelation));
    set(m, "speculativePremium", Math.fround(facts.metrics.speculativePremium));
    set(m, "researchShare", Math.fround(facts.metrics.researchShare));
  }
}
