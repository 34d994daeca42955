/**
 * project(): the incremental projection (it skips records whose engine object is unchanged) must
 * always equal a projection made from scratch, through trades, resolutions, registrations, joins,
 * presence changes and rule-set switches; and the synced validator list is the people who validate
 * plus the NPC validators with the most root stake.
 */
import { describe, expect, it } from "vitest";
import { applyAction, dec, type GameState, HOST_ID, resolveRound, ZERO } from "../shared/index.js";
import { bigGame, botsAct } from "../bench/setup.js";
import { project, type RoomFacts, SYNCED_NPC_VALIDATORS } from "../server/room/project.js";
import { ArenaState } from "../server/room/schema.js";

function facts(phase: RoomFacts["phase"], connected: string[] = [], acted: string[] = []): RoomFacts {
  return { code: "TEST42", phase, paused: false, deadline: 0, pausedRemainingMs: 0, connected: new Set(connected), bots: new Set(), acted: new Set(acted), metrics: null };
}

function fresh(state: GameState, f: RoomFacts): unknown {
  const t = new ArenaState();
  project(t, state, f);
  return t.toJSON();
}

describe("project", () => {
  it("incremental projection equals a projection from scratch at every step", () => {
    const game = bigGame(12, 30, { scenario: "dtao-launch" } as never, 7);
    const live = new ArenaState();
    const ids = game.bots.map((b) => b.id);
    let step = 0;
    // `worth` is the last round's close by design: it moves at phase changes, not with each trade,
    // so mid-phase it is compared only at boundaries (where a fresh projection computes the same).
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === "worth" ? undefined : v)));
    let phase = "";
    const check = (f: RoomFacts) => {
      project(live, game.state, f);
      const boundary = f.phase !== phase;
      phase = f.phase;
      if (boundary) expect(live.toJSON(), `step ${step++}`).toEqual(fresh(game.state, f));
      else expect(strip(live.toJSON()), `step ${step++}`).toEqual(strip(fresh(game.state, f)));
    };
    check(facts("acting"));
    for (let round = 0; round < 6; round++) {
      botsAct(game);
      check(facts("acting", ids.slice(0, 10 + round), ids.slice(0, round * 3)));
      if (round === 2) {
        const switched = applyAction(game.state, HOST_ID, { type: "setRuleset", ruleset: "dtao-flow" });
        expect(switched.ok).toBe(true);
        if (switched.ok) game.state = switched.state;
        check(facts("acting", ids.slice(0, 5)));
      }
      if (round === 4) {
        const switched = applyAction(game.state, HOST_ID, { type: "setRuleset", ruleset: "root-weights" });
        expect(switched.ok).toBe(true);
        if (switched.ok) game.state = switched.state;
        check(facts("acting", ids.slice(0, 5)));
      }
      if (round === 3) {
        const joined = applyAction(game.state, "late", { type: "join", name: "Late", role: "builder" });
        expect(joined.ok).toBe(true);
        if (joined.ok) game.state = joined.state;
        check(facts("acting", ["late"]));
      }
      game.state = resolveRound(game.state).state;
      check(facts("resolving", ids.slice(0, 3)));
      check(facts("acting"));
    }
  });

  it("lists every person who validates and the NPC validators with the most root stake, with the total", () => {
    const game = bigGame(8, 20, { scenario: "oligarchy" } as never, 3);
    botsAct(game);
    game.state = resolveRound(game.state).state;
    const target = new ArenaState();
    project(target, game.state, facts("acting"));
    const s = game.state;
    const rootBy = new Map<string, ReturnType<typeof dec>>();
    for (const id of s.playerOrder) for (const [v, a] of Object.entries(s.players[id].stakes["0"] ?? {})) rootBy.set(v, (rootBy.get(v) ?? ZERO).plus(a));
    const npcs = s.validators.filter((id) => s.players[id].npc !== null);
    expect(npcs.length).toBeGreaterThan(SYNCED_NPC_VALIDATORS);
    const listed = [...target.validators.keys()];
    const people = s.validators.filter((id) => s.players[id].npc === null);
    expect(people.length).toBeGreaterThan(0);
    for (const id of people) expect(listed).toContain(id);
    const listedNpcs = listed.filter((id) => s.players[id].npc !== null);
    expect(listedNpcs).toHaveLength(SYNCED_NPC_VALIDATORS);
    const smallestListed = Math.min(...listedNpcs.map((id) => rootBy.get(id)?.toNumber() ?? 0));
    for (const id of npcs.filter((x) => !listedNpcs.includes(x))) expect(rootBy.get(id)?.toNumber() ?? 0).toBeLessThanOrEqual(smallestListed);
    const total = [...rootBy.values()].reduce((a, b) => a.plus(b), ZERO).toNumber();
    expect(target.rootTotal).toBeCloseTo(total, -1);
    expect(Math.abs(target.rootTotal - total) / total).toBeLessThan(1e-5);
  });
});
