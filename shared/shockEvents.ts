/** Plain-sentence summary events of a resolved round, for the feed. */
import type { SubnetRoundReport } from "./report.js";
import type { GameEvent } from "./state.js";

export function shockEvents(subnets: readonly SubnetRoundReport[], round: number, ended: boolean): GameEvent[] {
  const events: GameEvent[] = [];
  // The largest share, the first listed on ties (what a stable sort by share, descending, puts first).
  let top: SubnetRoundReport | undefined;
  let topShare = 0;
  for (const s of subnets) {
    const x = Number(s.share);
    if (top === undefined || x > topShare) {
      top = s;
      topShare = x;
    }
  }
  if (top && Number(top.share) > 0) {
    events.push({ round, kind: "round", subnet: top.netuid, text: `Round ${round} resolved: ${top.name} (SN${top.netuid}) took the largest emission share, ${(Number(top.share) * 100).toFixed(1)}%` });
  } else {
    events.push({ round, kind: "round", text: `Round ${round} resolved: no subnet qualified for TAO emission` });
  }
  if (ended) events.push({ round, kind: "ended", text: "The game is over: see the debrief" });
  return events;
}
