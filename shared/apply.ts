/**
 * applyAction: the one entry point for every change a person (or the host) makes between
 * resolutions. Order of checks, as in boardgame.io's Master.onUpdate: shape, actor, phase, role,
 * then the action's own validation. Any rejection returns the typed error and leaves the state
 * untouched (the input object is never mutated).
 */
import { type Action, isRulesetName, parseAction, SHOCK_KINDS, type ShockKind } from "./actions.js";
import { parseAmount } from "./amount.js";
import { switchesOf } from "./config.js";
import { MAX_VALIDATOR_TAKE } from "./constants.js";
import { amt, dec, Decimal } from "./decimal.js";
import { engineError, type EngineError, ok, type Result } from "./errors.js";
import { inDraft, own, owns, patchState } from "./draft.js";
import { newPlayer, seedFlowEma } from "./game.js";
import { registerSubnet } from "./registration.js";
import { HOST_ID, type GameEvent, type GameState, type Netuid, type Player, type PlayerId, ROOT_NETUID } from "./state.js";
import { generateSignals } from "./signals.js";
import { cleanName, uniqueName } from "./text.js";
import { tradeCost } from "./pool.js";
import { addTradeCost, setPlayer, stake, stakeRoot, unstake, type TradeOutcome, unstakeRoot } from "./trade.js";

export type ApplyResult =
  | { ok: true; state: GameState; events: GameEvent[] }
  | { ok: false; error: EngineError };

/** How many events the state's feed keeps. */
export const EVENT_FEED_LENGTH = 60;

export function pushEvents(state: GameState, events: readonly GameEvent[]): GameState {
  if (events.length === 0) return state;
  if (owns(state.events)) {
    // A feed this draft scope made: append and trim in place.
    const feed = state.events as GameEvent[];
    feed.push(...events);
    if (feed.length > EVENT_FEED_LENGTH) feed.splice(0, feed.length - EVENT_FEED_LENGTH);
    return patchState(state, { events: feed });
  }
  const all = [...state.events, ...events];
  return patchState(state, { events: own(all.length > EVENT_FEED_LENGTH ? all.slice(all.length - EVENT_FEED_LENGTH) : all) });
}

function fail(code: EngineError["code"], message: string): ApplyResult {
  return { ok: false, error: engineError(code, message) };
}

function done(r: Result<{ state: GameState; events: GameEvent[] }>): ApplyResult {
  return r.ok ? { ok: true, state: pushEvents(r.value.state, r.value.events), events: r.value.events } : r;
}

export function applyAction(state: GameState, playerId: PlayerId, input: unknown): ApplyResult {
  const parsed = parseAction(input);
  if (!parsed.ok) return parsed;
  const action = parsed.action;
  if (action.type === "start" || action.type === "end" || action.type === "setRuleset" || action.type === "shock" || action.type === "configure") {
    if (playerId !== HOST_ID) return fail("role/forbidden", "only the host can do that");
    return applyHostAction(state, action);
  }
  if (state.phase === "ended") return fail("phase/forbidden", "the game has ended");
  if (action.type === "join") return join(state, playerId, action.name, action.role);
  const player = state.players[playerId];
  if (!player || player.npc !== null) return fail("player/unknown", "join the game first");
  if (player.role === "spectator") return fail("role/forbidden", "spectators watch; they do not act");
  switch (action.type) {
    case "setRole":
      return setRole(state, player, action.role);
    case "setEffort":
      return setEffort(state, player, action.research, action.product);
    case "setTake":
      return setTake(state, player, action.take);
    case "setRootClaim":
      return done(ok({ state: withPlayer(state, { ...player, rootClaim: action.mode }), events: [] }));
    case "registerSubnet":
      if (state.phase !== "acting" && state.phase !== "lobby") return fail("phase/forbidden", "not now");
      return done(registerSubnet(state, player, action));
    default:
      break;
  }
  if (state.phase !== "acting") return fail("phase/forbidden", "trading and weights open when the round starts");
  switch (action.type) {
    case "stake":
      return poolTrade(state, player.id, true, action.subnet, () => stake(state, player, action, false));
    case "unstake":
      return poolTrade(state, player.id, false, action.subnet, () => unstake(state, player, action, false));
    case "stakeRoot":
      return done(stakeRoot(state, player, action));
    case "unstakeRoot":
      return done(unstakeRoot(state, player, action));
    case "setWeights":
      return setWeights(state, player, action.subnet, action.weights);
    default:
      return fail("action/unknown_type", `unhandled action ${(action as Action).type}`);
  }
}

/** A stake or unstake, with its fee and slippage added to the player's costs of the round (root trades have none). */
function poolTrade(state: GameState, id: PlayerId, buy: boolean, subnet: number, run: () => Result<TradeOutcome>): ApplyResult {
  const pool = state.subnets[String(subnet)]; // the pre-trade reserves (a trade replaces the subnet object, never edits it)
  const r = run();
  if (!r.ok || !r.value.fill || !pool) return done(r);
  return done(ok({ state: addTradeCost(r.value.state, id, tradeCost(buy, pool, r.value.fill)), events: r.value.events }));
}

/** One entry of a batch: who sends which action (as received, unparsed). */
export interface BatchEntry {
  readonly playerId: PlayerId;
  readonly action: unknown;
}

/** What `applyAction` answered for one batch entry, without the intermediate state. */
export type BatchResult = { ok: true; events: GameEvent[] } | { ok: false; error: EngineError };

/**
 * Apply a list of actions in order, exactly as folding `applyAction` over them would (each one is
 * checked against the state the previous ones left, and a refused one changes nothing), but
 * without materialising every intermediate state: the player, subnet and weight records are
 * copied once per batch rather than once per action. Never mutates `state`.
 */
export function applyActions(state: GameState, entries: readonly BatchEntry[]): { state: GameState; results: BatchResult[] } {
  return inDraft(() => {
    let s = state;
    const results: BatchResult[] = [];
    for (const e of entries) {
      const r = applyAction(s, e.playerId, e.action);
      if (r.ok) {
        s = r.state;
        results.push({ ok: true, events: r.events });
      } else results.push(r);
    }
    return { state: s, results };
  });
}

function withPlayer(state: GameState, p: Player): GameState {
  return patchState(state, { players: setPlayer(state.players, p) });
}

function join(state: GameState, id: PlayerId, rawName: string, role: Player["role"]): ApplyResult {
  if (id === HOST_ID || id.startsWith("npc:") || id.startsWith("@") || id.length === 0 || id.length > 64) {
    return fail("player/unknown", "that player id is reserved");
  }
  if (state.players[id]) return fail("player/exists", "you have already joined");
  const people = state.playerOrder.filter((p) => state.players[p].npc === null && state.players[p].role !== "spectator").length;
  if (role !== "spectator" && people >= state.config.maxPlayers) return fail("player/full", `the game is full (${state.config.maxPlayers} players)`);
  const cleaned = cleanName(rawName, 24);
  if (cleaned.length === 0) return fail("player/name_taken", "choose a name");
  const name = uniqueName(cleaned, state.playerOrder.map((p) => state.players[p].name));
  const grant = role === "spectator" ? dec(0) : Decimal.min(dec(state.config.startingTao), dec(state.outside));
  let p: Player = { ...newPlayer(id, name, role, null, state.round), tao: amt(grant), granted: amt(grant) };
  if (role === "validator") p = { ...p, take: state.config.defaultTake };
  let next: GameState = {
    ...state, players: { ...state.players, [id]: p }, playerOrder: [...state.playerOrder, id],
    outside: amt(dec(state.outside).minus(grant)),
    validators: role === "validator" ? [...state.validators, id] : state.validators,
  };
  if (role === "validator") next = generateSignals(next, [id]);
  const events: GameEvent[] = [{ round: state.round + 1, kind: "join", player: id, text: `${name} joined as ${role}` }];
  return { ok: true, state: pushEvents(next, events), events };
}

function setRole(state: GameState, player: Player, role: Player["role"]): ApplyResult {
  if (state.phase !== "lobby") return fail("phase/forbidden", "roles change in the lobby only");
  if (player.role === role) return { ok: true, state, events: [] };
  const hasPositions = Object.keys(player.stakes).length > 0 || state.playerOrder.some((id) => {
    const s = state.players[id].stakes;
    return Object.values(s).some((book) => player.id in book);
  });
  if (hasPositions) return fail("role/forbidden", "unstake first: stake is held through you or by you");
  let p: Player = { ...player, role, take: role === "validator" ? state.config.defaultTake : null };
  if (role === "spectator") p = { ...p };
  let next = withPlayer(state, p);
  const validators = state.validators.filter((v) => v !== player.id);
  if (role === "validator") validators.push(player.id);
  next = { ...next, validators };
  if (role === "validator") next = generateSignals(next, [player.id]);
  const events: GameEvent[] = [{ round: state.round + 1, kind: "role", player: player.id, text: `${player.name} is now a ${role}` }];
  return { ok: true, state: pushEvents(next, events), events };
}

function setEffort(state: GameState, player: Player, research: number, product: number): ApplyResult {
  if (player.role !== "builder") return fail("role/forbidden", "only builders split effort");
  if (!Number.isFinite(research) || !Number.isFinite(product) || research < 0 || product < 0 || research + product <= 0) {
    return fail("effort/invalid", "research and product must be non-negative numbers, not both zero");
  }
  const total = research + product;
  const effort = { research: research / total, product: product / total };
  return { ok: true, state: withPlayer(state, { ...player, effort }), events: [] };
}

function setTake(state: GameState, player: Player, take: string): ApplyResult {
  if (player.role !== "validator") return fail("role/forbidden", "only validators set a take");
  const t = take === "0" ? ({ ok: true, value: dec(0) } as const) : parseAmount(take, "take");
  if (!t.ok) return t;
  if (t.value.gt(MAX_VALIDATOR_TAKE)) {
    return fail("amount/too_large", "the take is at most 0.18 (18%)");
  }
  return { ok: true, state: withPlayer(state, { ...player, take: amt(t.value) }), events: [] };
}

function setWeights(state: GameState, player: Player, subnet: number, raw: Record<string, number>): ApplyResult {
  if (player.role !== "validator" || !state.validators.includes(player.id)) return fail("role/forbidden", "only validators set weights");
  const netuid = String(subnet);
  let isTarget: (k: string) => boolean;
  // Root weights may include netuid 0 itself: that share is not emitted (recycled, §2c).
  if (netuid === ROOT_NETUID) isTarget = (k) => k === ROOT_NETUID || Object.hasOwn(state.subnets, k);
  else {
    const s = state.subnets[netuid];
    if (!s) return fail("subnet/unknown", `there is no subnet ${subnet}`);
    const targets = s.minerSkill.map((_, uid) => String(uid));
    isTarget = (k) => targets.includes(k);
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) return fail("weights/invalid", "give at least one weight");
  let total = 0;
  for (const [k, w] of entries) {
    if (!isTarget(k)) return fail("weights/invalid", netuid === ROOT_NETUID ? `no subnet ${k.slice(0, 8)}` : `no miner uid ${k.slice(0, 8)} on subnet ${netuid}`);
    if (!Number.isFinite(w) || w < 0) return fail("weights/invalid", "weights must be non-negative numbers");
    total += w;
  }
  if (!(total > 0) || !Number.isFinite(total)) return fail("weights/invalid", "at least one weight must be positive");
  const normalised: Record<string, number> = {};
  // Keys ascending by number. Every key is a canonical netuid or uid by now, and a record lists those in
  // ascending order already, so the sort is needed only for some unusual input.
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = Number(entries[i - 1][0]) < Number(entries[i][0]);
  for (const [k, w] of sorted ? entries : entries.sort(([a], [b]) => Number(a) - Number(b))) if (w > 0) normalised[k] = w / total;
  // Copies of the validator's pending book and of the pending record (written in place when a batch made them).
  const previous = state.pendingWeights[player.id];
  let mine: Record<Netuid, Readonly<Record<string, number>>>;
  if (previous && owns(previous)) (mine = previous as typeof mine)[netuid] = normalised;
  else mine = own({ ...(previous ?? {}), [netuid]: normalised });
  let pending: Record<PlayerId, Readonly<Record<Netuid, Readonly<Record<string, number>>>>>;
  if (owns(state.pendingWeights)) (pending = state.pendingWeights as typeof pending)[player.id] = mine;
  else pending = own({ ...state.pendingWeights, [player.id]: mine });
  return { ok: true, state: patchState(state, { pendingWeights: pending }), events: [] };
}

function applyHostAction(state: GameState, action: Extract<Action, { type: "start" | "end" | "setRuleset" | "shock" | "configure" }>): ApplyResult {
  const round = state.round + 1;
  switch (action.type) {
    case "start": {
      if (state.phase !== "lobby") return fail("phase/forbidden", "the game has already started");
      const events = [{ round, kind: "start", text: `Round 1 of ${state.config.rounds} is open` }];
      return { ok: true, state: pushEvents({ ...state, phase: "acting" }, events), events };
    }
    case "end": {
      if (state.phase === "ended") return fail("phase/forbidden", "the game has already ended");
      const events = [{ round, kind: "end", text: "The host ended the game" }];
      return { ok: true, state: pushEvents({ ...state, phase: "ended" }, events), events };
    }
    case "configure": {
      if (state.phase !== "lobby") return fail("phase/forbidden", "the game's length is set in the lobby");
      const events = [{ round, kind: "config", text: `The game will last ${action.rounds} rounds` }];
      return { ok: true, state: pushEvents({ ...state, config: { ...state.config, rounds: action.rounds } }, events), events };
    }
    case "setRuleset": {
      if (state.phase === "ended") return fail("phase/forbidden", "the game has ended");
      if (!isRulesetName(action.ruleset)) return fail("ruleset/unknown", `unknown rule set "${action.ruleset.slice(0, 40)}"; use root-weights, dtao-price or dtao-flow`);
      const wasFlow = switchesOf({ ruleset: state.ruleset, switches: state.config.switches }).emissionRule === "taoFlow";
      let next: GameState = { ...state, ruleset: action.ruleset, config: { ...state.config, ruleset: action.ruleset, switches: {} } };
      if (!wasFlow && switchesOf(next.config).emissionRule === "taoFlow") next = seedFlowEma(next);
      const events = [{ round, kind: "ruleset", text: `Rule set switched to ${action.ruleset} from round ${round}` }];
      return { ok: true, state: pushEvents(next, events), events };
    }
    case "shock": {
      if (state.phase === "ended") return fail("phase/forbidden", "the game has ended");
      if (!(SHOCK_KINDS as readonly string[]).includes(action.kind)) return fail("shock/invalid", `unknown shock "${action.kind.slice(0, 40)}"; use ${SHOCK_KINDS.join(", ")}`);
      const kind = action.kind as ShockKind;
      if (action.subnet !== undefined && !state.subnets[String(action.subnet)]) return fail("subnet/unknown", `there is no subnet ${action.subnet}`);
      const shock = action.subnet === undefined ? { kind } : { kind, subnet: String(action.subnet) };
      const events = [{ round, kind: "shockQueued", text: `The host scheduled a ${kind} for this round's resolution` }];
      return { ok: true, state: pushEvents({ ...state, queuedShocks: [...state.queuedShocks, shock] }, events), events };
    }
  }
}
