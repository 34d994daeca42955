/** Plain-sentence summary events of a resolved round, for the feed. */
import type { SubnetRoundReport } from "./report.js";
import type { GameEvent } from "./state.js";

export function shockEvents(subnets: readonly SubnetRoundReport[], round: number, ended: boolean): GameEvent[] {
  const events: GameEvent[] = [];
  const top = [...subnets].sort((a, b) => Number(b.share) - Number(a.share))[0];
  if (top && Number(top.share) > 0) {
    events.push({ round, kind: "round", subnet: top.netuid, text: `Round ${round} resolved: ${top.name} (SN${top.netuid}) took the largest emission share, ${(Number(top.share) * 100).toFixed(1)}%` });
  } else {
    events.push({ round, kind: "round", text: `Round ${round} resolved: no subnet qualified for TAO emission` });
  }
  if (ended) events.push({ round, kind: "ended", text: "The game is over: see the debrief" });
  return events;
}
