/** Event feed (plain sentences) and the leaderboard by spot net worth. */
import type { ArenaConnection } from "../net";
import { tao } from "../format";
import { fill, h, type Panel } from "./dom";

export function createFeed(_conn: ArenaConnection): Panel {
  const list = h("ul", { id: "feed", "aria-live": "polite" });
  const el = h("section", { class: "card feed" }, h("h2", { class: "sr" }, "Events"), list);
  let last = "";
  return {
    el,
    render(s) {
      const events = s.state?.events ?? [];
      const key = events.map((e) => e.text).join("|");
      if (key === last) return;
      last = key;
      fill(list, ...[...events].reverse().map((e) => h("li", {}, h("span", { class: "muted" }, `R${e.round} `), e.text)));
    },
  };
}

export function createLeaderboard(_conn: ArenaConnection): Panel {
  const body = h("tbody");
  const el = h("section", { class: "card", id: "leaderboard" }, h("h2", {}, "Leaderboard"),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Player"), h("th", {}, "Role"), h("th", { class: "num", title: "Spot net worth when the last round closed" }, "Worth at close"))), body));
  return {
    el,
    render(s) {
      const players = Object.values(s.state?.players ?? {}).sort((a, b) => b.worth - a.worth).slice(0, 10);
      fill(body, ...players.map((p, i) => h("tr", { class: p.id === s.seat?.playerId ? "me" : "" },
        h("td", {}, String(i + 1)), h("td", {}, `${p.name}${p.bot ? " (bot)" : ""}${p.connected ? "" : " (away)"}`), h("td", {}, p.role), h("td", { class: "num" }, tao(p.worth)))));
    },
  };
}
