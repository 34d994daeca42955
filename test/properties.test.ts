/**
 * Property tests over random play (mechanics file, "Invariants a test suite should check"): for
 * every rule set, random sequences of people's and the host's actions (valid, out of range,
 * malformed, out of phase, by strangers) and resolutions. After every step:
 *  - the TAO audit balances to the rao and every alpha account agrees (invariants 1–2);
 *  - no balance, position or reserve is negative (3);
 *  - a rejected action leaves the state as it was (same object, same hash), and no step ever
 *    mutates a state (they are deep-frozen);
 *  - a report's emission shares are ≥ 0 and sum to 1 or are all 0, issuance grows by exactly the
 *    emission (7, 1);
 *  - registration: the cost paid is the lock cost, which then doubles; at the limit exactly the
 *    non-immune subnet with the lowest price EMA is pruned; an immune subnet never is (10);
 *  - the phase rules hold (trades only while acting, nothing after the end, rounds never overrun);
 * and at the end the accepted log replays to the same state hash (11).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyAction, createGame, dec, ERROR_CODES, EVENT_FEED_LENGTH, type GameConfigInput, type GameState, HOST_ID,
  lockCost, type LogEntry, replay, resolveRound, RoundError, type RoundReport, RULESET_NAMES, stateHash,
} from "../shared/index.js";
import { must } from "./support/game.js";
import { deepFreeze, immuneIn, reportProblems, stateProblems } from "./support/invariants.js";
import { configArb, materialise, PEOPLE, step, type Step } from "./support/steps.js";

/** Runs per rule set; raise it for a deeper search (PROPERTY_RUNS=500 npx vitest run test/properties.test.ts). */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);
const TRADES = new Set(["stake", "unstake", "stakeRoot", "unstakeRoot", "setWeights"]);
const HOST_TYPES = new Set(["start", "end", "setRuleset", "shock"]);

interface Outcome {
  state: GameState;
  log: LogEntry[];
  attempts: LogEntry[];
  rejectedAt: number[];
  reports: RoundReport[];
  prunes: number;
}

function typeOf(action: unknown): string | undefined {
  const t = (action as { type?: unknown } | null)?.type;
  return typeof t === "string" ? t : undefined;
}

/** Checks specific to an accepted subnet registration. */
function registrationProblems(before: GameState, after: GameState, events: readonly { kind: string; subnet?: string }[]): string[] {
  const problems: string[] = [];
  const cost = lockCost(before);
  if (!dec(after.lastLockCost).eq(cost)) problems.push(`paid ${after.lastLockCost}, lock cost was ${cost.toString()}`);
  if (!lockCost(after).eq(cost.mul(2))) problems.push(`lock cost did not double: ${lockCost(after).toString()}`);
  if (before.lastRegistrationRound === before.round) problems.push("two registrations in one round");
  const minted = dec(before.issuance).minus(after.issuance);
  if (!minted.eq(cost.minus(before.config.minLockCost))) problems.push(`issuance fell by ${minted.toString()}`);
  const count = Object.keys(before.subnets).length;
  const prunes = events.filter((e) => e.kind === "prune");
  if (count >= before.config.subnetLimit) {
    if (prunes.length !== 1) return [...problems, `at the limit but ${prunes.length} prunes`];
    const victim = prunes[0].subnet!;
    if (immuneIn(before, victim)) problems.push(`pruned immune subnet ${victim}`);
    const candidates = Object.values(before.subnets).filter((s) => !immuneIn(before, s.netuid));
    candidates.sort((a, b) => dec(a.priceEma).cmp(b.priceEma) || a.registeredRound - b.registeredRound);
    if (candidates[0]?.netuid !== victim) problems.push(`pruned ${victim}, lowest non-immune EMA is ${candidates[0]?.netuid}`);
    for (const id of after.playerOrder) {
      if (after.players[id].alpha[victim] !== undefined) problems.push(`${id} still holds alpha on ${victim}`);
    }
    if (after.subnets[victim]?.alphaOut !== "0") problems.push("reused netuid kept old alpha");
    // Nothing that pointed at the dissolved subnet carries over to the one reusing its netuid.
    for (const [label, book] of [["weights", after.weights], ["pendingWeights", after.pendingWeights]] as const) {
      for (const [v, byNet] of Object.entries(book)) {
        if (byNet[victim] !== undefined) problems.push(`${label}[${v}] kept weights on ${victim}`);
        if ((byNet["0"]?.[victim] ?? 0) !== 0) problems.push(`${label}[${v}] kept a root weight on ${victim}`);
      }
    }
    for (const id of after.playerOrder) {
      if (after.players[id].affiliation.includes(victim)) problems.push(`${id} still affiliated with ${victim}`);
    }
    if (after.bonds[victim] !== undefined) problems.push(`bonds kept on ${victim}`);
  } else {
    if (prunes.length !== 0) problems.push("pruned below the limit");
    if (!after.subnets[String(before.nextNetuid)]) problems.push("new subnet not at nextNetuid");
  }
  return problems;
}

function play(config: GameConfigInput, seed: number, lobby: readonly Step[], steps: readonly Step[]): Outcome {
  let state = deepFreeze(createGame(config, seed));
  const log: LogEntry[] = [];
  const attempts: LogEntry[] = [];
  const rejectedAt: number[] = [];
  const reports: RoundReport[] = [];
  let prunes = 0;
  const fail = (what: string, problems: string[]) => {
    if (problems.length > 0) throw new Error(`${what} (round ${state.round}, ${state.phase}): ${problems.join("; ")}`);
  };

  const act = (actor: string, action: unknown) => {
    const before = state;
    const hash = stateHash(before);
    const r = applyAction(before, actor, action);
    const entry: LogEntry = { kind: "action", playerId: actor, action };
    attempts.push(entry);
    const type = typeOf(action);
    const what = `${actor} ${JSON.stringify(action)?.slice(0, 200)}`;
    if (!r.ok) {
      rejectedAt.push(attempts.length - 1);
      fail(what, [
        ...(stateHash(before) === hash ? [] : ["a rejected action changed the state"]),
        ...((ERROR_CODES as readonly string[]).includes(r.error.code) ? [] : [`unknown code ${r.error.code}`]),
        ...(r.error.message.length > 0 && r.error.message.length < 300 ? [] : ["bad message length"]),
        ...(type === "registerSubnet" && r.error.code === "subnet/limit_reached" && Object.keys(before.subnets).some((n) => !immuneIn(before, n))
          ? ["limit_reached though a subnet is not immune"] : []),
      ]);
      return; // `state` stays the very same object
    }
    // Phase rules: what may be accepted when.
    const phaseProblems: string[] = [];
    if (before.phase === "ended") phaseProblems.push("accepted after the end");
    if (before.phase !== "acting" && type !== undefined && TRADES.has(type)) phaseProblems.push("trade accepted outside the acting phase");
    if (before.phase !== "lobby" && type === "setRole") phaseProblems.push("role change after the start");
    if (type === "start" && before.phase !== "lobby") phaseProblems.push("started twice");
    if (type !== undefined && HOST_TYPES.has(type) !== (actor === HOST_ID)) phaseProblems.push("host action by a player, or player action by the host");
    if (actor !== HOST_ID && type !== "join" && before.players[actor]?.npc !== null) phaseProblems.push("accepted from a non-person");
    fail(what, phaseProblems);
    expect(stateHash(before)).toBe(hash); // the input is never touched, even on success
    state = deepFreeze(r.state);
    fail(what, stateProblems(state));
    if (state.events.length > EVENT_FEED_LENGTH) fail(what, ["event feed too long"]);
    if (type === "registerSubnet") {
      fail(what, registrationProblems(before, state, r.events));
      prunes += r.events.filter((e) => e.kind === "prune").length;
    }
    else if (Object.keys(before.subnets).join() !== Object.keys(state.subnets).join()) fail(what, ["subnets changed outside registration"]);
    if (type === "start") expect(state.phase).toBe("acting");
    if (type === "end") expect(state.phase).toBe("ended");
    log.push(entry);
  };

  const resolve = () => {
    const before = state;
    attempts.push({ kind: "resolve" });
    if (before.phase !== "acting") {
      expect(() => resolveRound(before)).toThrow(RoundError);
      // A refused resolution is not logged; drop it from the attempts too (replay would throw).
      attempts.pop();
      return;
    }
    const halving = before.queuedShocks.some((q) => q.kind === "halving");
    const { state: next, report } = resolveRound(before);
    state = deepFreeze(next);
    fail("resolve", [...stateProblems(state), ...reportProblems(report, before, state, halving)]);
    if (report.ruleset !== before.ruleset) fail("resolve", ["report ruleset ≠ state ruleset"]);
    if (Object.keys(before.subnets).sort().join() !== Object.keys(state.subnets).sort().join()) fail("resolve", ["subnets changed in a resolution"]);
    if (state.phase !== (state.round >= state.config.rounds ? "ended" : "acting")) fail("resolve", [`phase ${state.phase} at round ${state.round}`]);
    expect(state.queuedShocks).toEqual([]);
    reports.push(report);
    log.push({ kind: "resolve" });
  };

  for (const [id, role] of PEOPLE) act(id, { type: "join", name: id, role });
  expect(log.length).toBe(PEOPLE.length);
  fail("created", stateProblems(state));
  for (const s of lobby) {
    const m = materialise(s, state);
    if (m) act(m.actor, m.action);
    else resolve();
  }
  act(HOST_ID, { type: "start" });
  for (const s of steps) {
    const m = materialise(s, state);
    if (m) act(m.actor, m.action);
    else resolve();
  }
  return { state, log, attempts, rejectedAt, reports, prunes };
}

describe.each(RULESET_NAMES)("random play under %s", (ruleset) => {
  it("keeps every invariant after every step, and the accepted log replays to the same hash", () => {
    let accepted = 0;
    let rejected = 0;
    let resolutions = 0;
    let prunes = 0;
    fc.assert(
      fc.property(
        configArb(ruleset),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(step, { maxLength: 5 }),
        fc.array(step, { minLength: 10, maxLength: 40, size: "max" }),
        (config, seed, lobby, steps) => {
          const out = play(config, seed, lobby, steps);
          accepted += out.log.filter((e) => e.kind === "action").length;
          rejected += out.rejectedAt.length;
          resolutions += out.reports.length;
          prunes += out.prunes;

          // Determinism (invariant 11): the accepted log rebuilds the same state and reports.
          const again = replay(config, seed, out.log);
          expect(again.rejected).toEqual([]);
          expect(stateHash(again.state)).toBe(stateHash(out.state));
          expect(JSON.stringify(again.reports)).toBe(JSON.stringify(out.reports));
          // The raw log, refusals included, replays to the same state and refuses the same entries.
          const raw = replay(config, seed, out.attempts);
          expect(stateHash(raw.state)).toBe(stateHash(out.state));
          expect(raw.rejected.map((x) => x.index)).toEqual(out.rejectedAt);
        },
      ),
      { numRuns: RUNS },
    );
    // The generator must actually exercise the engine, not just its refusals.
    expect(accepted).toBeGreaterThan(3 * RUNS);
    expect(rejected).toBeGreaterThan(3 * RUNS);
    expect(resolutions).toBeGreaterThan(RUNS);
    expect(prunes).toBeGreaterThan(0);
  }, 20_000 + RUNS * 300);
});

describe("random play, targeted", () => {
  it("in the lobby, while acting and after the end: no action touches its input, and the phase rules hold", () => {
    const base = createGame({ initialSubnets: 4, rootValidators: 8 }, 5);
    let lobby = base;
    for (const [id, role] of PEOPLE) lobby = must(applyAction(lobby, id, { type: "join", name: id, role }));
    deepFreeze(lobby);
    const acting = deepFreeze(must(applyAction(lobby, HOST_ID, { type: "start" })));
    const ended = deepFreeze(must(applyAction(acting, HOST_ID, { type: "end" })));
    fc.assert(
      fc.property(fc.constantFrom(lobby, acting, ended), step, (s, st) => {
        const m = materialise(st, s);
        if (!m) {
          if (s.phase !== "acting") expect(() => resolveRound(s)).toThrow(RoundError);
          return;
        }
        const hash = stateHash(s);
        const r = applyAction(s, m.actor, m.action);
        expect(stateHash(s)).toBe(hash);
        if (!r.ok) return;
        if (s.phase === "ended") throw new Error(`accepted after the end: ${JSON.stringify(m.action)}`);
        if (s.phase === "lobby" && TRADES.has(typeOf(m.action) ?? "")) throw new Error("trade in the lobby");
        expect(stateProblems(r.state)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
