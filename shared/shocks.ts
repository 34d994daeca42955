/**
 * Market events (game layer): seeded random ones at the scenario's rate, and scripted ones the
 * host queues. They change hidden quality, move NPC traders, or shift the emission schedule.
 */
import { subnetList } from "./access.js";
import type { ShockKind } from "./actions.js";
import { amt, dec, Decimal } from "./decimal.js";
import { whaleExit, type MarketMood } from "./npc.js";
import type { Rng } from "./rng.js";
import type { GameEvent, GameState, Netuid } from "./state.js";

const RANDOM_KINDS: ShockKind[] = ["breakthrough", "exploit", "hype", "whaleExit"];

export function applyShocks(state: GameState, rng: Rng, round: number): { state: GameState; mood: MarketMood; events: GameEvent[] } {
  const events: GameEvent[] = [];
  const mood: MarketMood = { panic: [] };
  const queue = [...state.queuedShocks];
  if (state.config.eventRate > 0 && rng.chance(state.config.eventRate)) queue.push({ kind: rng.pick(RANDOM_KINDS) });
  let st: GameState = { ...state, queuedShocks: [] };
  for (const shock of queue) {
    const subnets = subnetList(st);
    if (subnets.length === 0) break;
    const target: Netuid = shock.subnet && st.subnets[shock.subnet] ? shock.subnet : rng.pick(subnets).netuid;
    const s = st.subnets[target];
    const label = `${s.name} (SN${s.netuid})`;
    switch (shock.kind as ShockKind) {
      case "breakthrough":
        st = { ...st, subnets: { ...st.subnets, [target]: { ...s, capability: s.capability * 1.4 + 0.3 } } };
        events.push({ round, kind: "breakthrough", subnet: target, text: `${label} announced a research breakthrough` });
        break;
      case "exploit":
        st = { ...st, subnets: { ...st.subnets, [target]: { ...s, capability: s.capability * 0.75, product: s.product * 0.3 } } };
        mood.panic.push(target);
        events.push({ round, kind: "exploit", subnet: target, text: `${label} was exploited: miners gamed it and users left` });
        break;
      case "hype":
        mood.hype = target;
        events.push({ round, kind: "hype", subnet: target, text: `Social media hype around ${label}` });
        break;
      case "whaleExit": {
        // Every sale whaleExit makes adds its event: more events means it sold (the state may be
        // updated in place inside a resolution, so compare contents, not identity).
        const before = events.length;
        st = whaleExit(st, shock.subnet, events);
        if (events.length > before) events.push({ round, kind: "whaleExit", subnet: target, text: "A whale dumped its alpha" });
        break;
      }
      case "halving": {
        // Jump TotalIssuance to the next halving threshold: the block reward halves from this round (§1).
        const cap = dec(st.config.supplyCap);
        const issuance = dec(st.issuance);
        let threshold = cap.div(2);
        let step = cap.div(4);
        while (issuance.gte(threshold) && step.gt("1e-9")) { threshold = threshold.plus(step); step = step.div(2); }
        const jump = Decimal.max(threshold.minus(issuance), 0).toDecimalPlaces(9, Decimal.ROUND_UP);
        st = { ...st, issuance: amt(issuance.plus(jump)), outside: amt(dec(st.outside).plus(jump)) };
        events.push({ round, kind: "halving", text: "Halving: the block reward is cut in half" });
        break;
      }
    }
  }
  return { state: st, mood, events };
}
