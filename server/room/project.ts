/**
 * project(): the one function that writes engine state into the Colyseus schema. It only assigns
 * fields whose value changed, so the schema's delta encoding sends little each patch.
 */
import { ArraySchema } from "@colyseus/schema";
import { dec, type EcosystemMetrics, type GameState, isImmune, lockCost, switchesOf } from "../../shared/index.js";
import { ArenaState, EventState, PlayerState, SubnetState, ValidatorState } from "./schema.js";

/** Events kept in the synced feed. */
export const SYNCED_EVENTS = 20;

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

function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
  if (target[key] !== value) target[key] = value;
}

function syncStrings(arr: ArraySchema<string>, values: readonly string[]): void {
  // Prices only ever append (or the window slides by one): push/shift keeps the patch small.
  while (arr.length > values.length) arr.shift();
  for (let i = 0; i < values.length; i++) {
    if (i < arr.length) { if (arr[i] !== values[i]) arr[i] = values[i]; } else arr.push(values[i]);
  }
}

function syncNumbers(arr: ArraySchema<number>, values: readonly number[]): void {
  while (arr.length > values.length) arr.pop();
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(values[i]);
    if (i < arr.length) { if (arr[i] !== v) arr[i] = v; } else arr.push(v);
  }
}

/** Spot net worth only (the liquidation value is computed where it is shown, not on every patch). */
function spotWorth(state: GameState, id: string): string {
  const p = state.players[id];
  let v = dec(p.tao).plus(p.rootStake);
  for (const n in p.alpha) {
    const s = state.subnets[n];
    if (s) v = v.plus(dec(p.alpha[n]).mul(s.taoReserve).div(s.alphaReserve));
  }
  return v.toDecimalPlaces(9).toString();
}

export function project(target: ArenaState, state: GameState, facts: RoomFacts): void {
  set(target, "code", facts.code);
  set(target, "scenario", state.config.scenario);
  set(target, "phase", facts.phase);
  set(target, "paused", facts.paused);
  set(target, "round", facts.phase === "lobby" ? 0 : Math.min(state.round + (facts.phase === "acting" ? 1 : 0), state.config.rounds));
  set(target, "totalRounds", state.config.rounds);
  set(target, "deadline", facts.deadline);
  set(target, "pausedRemainingMs", facts.pausedRemainingMs);
  set(target, "ruleset", state.ruleset);
  set(target, "emissionRule", switchesOf(state.config).emissionRule);
  set(target, "lockCost", lockCost(state).toString());
  set(target, "issuance", state.issuance);
  set(target, "block", state.block);
  const sw = switchesOf(state.config);
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

  for (const key of [...target.subnets.keys()]) if (!state.subnets[key]) target.subnets.delete(key);
  for (const s of Object.values(state.subnets)) {
    let v = target.subnets.get(s.netuid);
    if (!v) { v = new SubnetState(); target.subnets.set(s.netuid, v); }
    set(v, "netuid", s.netuid);
    set(v, "name", s.name);
    set(v, "owner", s.owner);
    set(v, "ownerName", state.players[s.owner]?.name ?? "");
    set(v, "registeredRound", s.registeredRound);
    set(v, "immune", isImmune(state, s));
    set(v, "taoReserve", s.taoReserve);
    set(v, "alphaReserve", s.alphaReserve);
    set(v, "alphaOut", s.alphaOut);
    set(v, "price", s.price);
    set(v, "priceEma", s.priceEma);
    set(v, "flowEma", s.flowEma);
    set(v, "flowThisRound", s.flowThisRound);
    set(v, "emissionShare", s.emissionShare);
    set(v, "lastEmission", s.lastEmission);
    set(v, "product", Math.fround(s.product));
    set(v, "minerCount", s.minerSkill.length);
    syncStrings(v.priceHistory, s.priceHistory);
    syncNumbers(v.consensus, s.consensus);
  }

  const rootByValidator = new Map<string, string>();
  for (const id of state.playerOrder) {
    const book = state.players[id].stakes["0"];
    if (book) for (const v in book) rootByValidator.set(v, dec(rootByValidator.get(v) ?? "0").plus(book[v]).toString());
  }
  const vkeep = new Set(state.validators);
  for (const key of [...target.validators.keys()]) if (!vkeep.has(key)) target.validators.delete(key);
  for (const id of state.validators) {
    const p = state.players[id];
    if (!p) continue;
    let v = target.validators.get(id);
    if (!v) { v = new ValidatorState(); target.validators.set(id, v); }
    set(v, "id", id);
    set(v, "name", p.name);
    set(v, "npc", p.npc !== null);
    set(v, "take", p.take ?? "0");
    set(v, "rootStake", rootByValidator.get(id) ?? "0");
  }

  // People only: NPCs are scenery and would bloat every patch.
  const people = state.playerOrder.filter((id) => state.players[id].npc === null);
  const keep = new Set(people);
  for (const key of [...target.players.keys()]) if (!keep.has(key)) target.players.delete(key);
  for (const id of people) {
    const p = state.players[id];
    let v = target.players.get(id);
    if (!v) { v = new PlayerState(); target.players.set(id, v); }
    set(v, "id", id);
    set(v, "name", p.name);
    set(v, "role", p.role);
    set(v, "connected", facts.connected.has(id));
    set(v, "bot", facts.bots.has(id));
    set(v, "acted", facts.acted.has(id));
    set(v, "tao", p.tao);
    set(v, "rootStake", p.rootStake);
    for (const n of [...v.alpha.keys()]) if (!(n in p.alpha)) v.alpha.delete(n);
    for (const [n, a] of Object.entries(p.alpha)) if (v.alpha.get(n) !== a) v.alpha.set(n, a);
    set(v, "netWorth", spotWorth(state, id));
    set(v, "take", p.take ?? "");
    set(v, "research", Math.fround(p.effort.research));
  }

  const events = state.events.slice(-SYNCED_EVENTS);
  const first = target.events.length > 0 ? target.events[target.events.length - 1] : undefined;
  // Append only the events after the last one already synced; rebuild if the feed diverged.
  let start = 0;
  if (first) {
    let idx = -1;
    for (let i = events.length - 1; i >= 0; i--) if (events[i].text === first.text && events[i].round === first.round) { idx = i; break; }
    start = idx >= 0 ? idx + 1 : 0;
    if (idx < 0) target.events.clear();
  }
  for (const e of events.slice(start)) {
    const ev = new EventState();
    ev.round = e.round;
    ev.kind = e.kind;
    ev.text = e.text;
    target.events.push(ev);
  }
  while (target.events.length > SYNCED_EVENTS) target.events.shift();

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
