/**
 * The projector view (spectator seat): readable from 15 metres, no controls. Lobby: how to join
 * (code, QR, URL) and who has joined. Rounds: a big countdown, emission share bars with prices, and
 * the leaderboard by net worth. Ended: the debrief charts, awards and the final standings.
 */
import type { ArenaConnection } from "../net";
import type { ClientSnapshot, Debrief, SyncedState } from "../types";
import { countdown, num, pct, RULESET_LABEL, ROLE_COLOUR, tao } from "../format";
import { fill, h, type Panel } from "./dom";
import { awardsList, barList, debriefCharts, leaderboardTable, namesHidden, onNamesHiddenChange } from "./debrief";
import { joinUrl, paintQr } from "./host";
import { liveShares, setText, subnetsSorted } from "./ticket";

export function createProjectorPanel(_conn: ArenaConnection): Panel {
  // --- header -------------------------------------------------------------------------------
  const headCode = h("span", { class: "p-code" });
  const headRound = h("span", { class: "p-round" });
  const headRule = h("span", { class: "badge p-rule" });
  const header = h("header", { class: "p-head" }, headCode, headRound, headRule);

  // --- lobby --------------------------------------------------------------------------------
  const lobbyCode = h("div", { class: "p-bigcode", id: "projector-code" });
  const lobbyUrl = h("div", { class: "p-url" });
  const lobbyQr = h("img", { class: "p-qr", id: "projector-qr", alt: "" });
  const joinedHead = h("h2", {});
  const joined = h("div", { class: "p-joined", id: "projector-joined" });
  const lobby = h("div", { class: "p-lobby" },
    h("div", { class: "p-howto" }, h("p", { class: "p-label" }, "Join with your phone"), lobbyQr, lobbyUrl, h("p", { class: "p-label" }, "or enter the code"), lobbyCode),
    h("div", { class: "p-who" }, joinedHead, joined));

  // --- rounds -------------------------------------------------------------------------------
  const clock = h("div", { class: "p-clock", id: "projector-clock", "aria-live": "off" });
  const clockLabel = h("div", { class: "p-label" });
  const bars = h("div", { class: "bars p-bars", id: "projector-shares" });
  const barsNote = h("p", { class: "p-label" });
  const boardBody = h("tbody", { id: "projector-board" });
  const rounds = h("div", { class: "p-rounds" },
    h("div", { class: "p-clockbox" }, clockLabel, clock),
    h("div", { class: "p-market" }, h("h2", {}, "Emission share & price"), bars, barsNote),
    h("div", { class: "p-board" }, h("h2", {}, "Leaderboard"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { class: "num" }, "#"), h("th", {}, "Player"), h("th", { class: "num" }, "Net worth"))), boardBody)));

  // --- ended --------------------------------------------------------------------------------
  const endCharts = h("div", { class: "p-charts" });
  const endAwards = h("div", { class: "p-awards" });
  const endBoard = h("div", { class: "p-final" });
  const endWait = h("p", { class: "p-label" }, "The debrief is on its way…");
  const ended = h("div", { class: "p-ended" }, h("h2", {}, "What happened"), endWait, endCharts,
    h("div", { class: "p-end-grid" }, h("div", {}, h("h2", {}, "Awards"), endAwards), h("div", {}, h("h2", {}, "Final standings"), endBoard)));

  const el = h("main", { class: "projector", id: "projector", "aria-label": "Projector view" }, header, lobby, rounds, ended);

  let deadline = 0;
  let paused = false;
  let remaining = 0;
  let phase = "";
  const tick = () => {
    const ms = paused ? remaining : deadline ? deadline - Date.now() : 0;
    setText(clock, phase === "resolving" ? "…" : paused ? countdown(ms) : deadline ? countdown(ms) : "–");
    el.classList.toggle("hurry", !paused && phase === "acting" && deadline > 0 && ms < 10_000);
  };
  setInterval(tick, 250);

  let joinedKey = "";
  function paintLobby(st: SyncedState) {
    setText(lobbyCode, st.code);
    setText(lobbyUrl, joinUrl(st.code).replace(/^https?:\/\//, ""));
    paintQr(lobbyQr, st.code, 480);
    const people = Object.values(st.players).filter((p) => p.role !== "spectator");
    const key = people.map((p) => `${p.id}:${p.name}:${p.role}:${p.connected}`).join("|");
    if (key === joinedKey) return;
    joinedKey = key;
    setText(joinedHead, people.length === 0 ? "Waiting for players…" : `${people.length} joined`);
    const byRole = ["staker", "builder", "validator"].map((r) => [r, people.filter((p) => p.role === r)] as const);
    fill(joined, ...byRole.filter(([, ps]) => ps.length > 0).map(([r, ps]) =>
      h("div", { class: "p-role" }, h("h3", { style: `color:${ROLE_COLOUR[r]}` }, `${r}s · ${ps.length}`),
        h("ul", {}, ...ps.map((p) => h("li", { class: p.connected || p.bot ? "" : "away" }, p.name, p.bot ? h("span", { class: "p-bot" }, " bot") : null))))));
  }

  let boardKey = "";
  function paintRounds(st: SyncedState) {
    setText(clockLabel, st.phase === "resolving" ? "Resolving the round" : st.paused ? "Paused" : `Round ${st.round} of ${st.totalRounds}`);
    const live = liveShares(st);
    const share = (n: string) => live[n] ?? 0;
    // Sorted by netuid, not by share: bars that jump places every patch are unreadable from the back row.
    const subs = subnetsSorted(st);
    barList(bars, subs.map((x) => {
      const prev = Number(x.priceHistory.at(-1) ?? x.price);
      const now = Number(x.price);
      const ch = prev > 0 ? now / prev - 1 : 0;
      const arrow = Math.abs(ch) < 0.0005 ? "=" : ch > 0 ? "▲" : "▼";
      return { key: x.netuid, label: `SN${x.netuid} ${x.name}`, value: share(x.netuid), text: pct(share(x.netuid), 1), note: `${num(x.price, 3)} τ ${arrow}` };
    }), Math.max(0.05, ...subs.map((x) => share(x.netuid))));
    setText(barsNote, st.rules.emissionRule === "rootWeights"
      ? `Bars: emission share set by the root validators' weights. Price in τ per α, ▲▼ since the round began. ${RULESET_LABEL[st.ruleset] ?? st.ruleset}.`
      : `Bars: emission share if the round ended now, from the market. Price in τ per α, ▲▼ since the round began. ${RULESET_LABEL[st.ruleset] ?? st.ruleset}.`);
    const players = Object.values(st.players).filter((p) => p.role !== "spectator").sort((a, b) => b.worth - a.worth).slice(0, 8);
    const key = players.map((p) => `${p.id}:${p.name}:${p.worth}`).join("|");
    if (key === boardKey) return;
    boardKey = key;
    fill(boardBody, ...players.map((p, i) => h("tr", {},
      h("td", { class: "num" }, String(i + 1)),
      h("td", {}, h("span", { class: "role-dot", style: `background:${ROLE_COLOUR[p.role] ?? "#999"}`, "aria-hidden": "true" }), ` ${p.name}`, h("span", { class: "p-role-word" }, ` ${p.role}`)),
      h("td", { class: "num" }, tao(p.worth)))));
  }

  let endedFor: Debrief | null = null;
  let endedAnon = namesHidden();
  function paintEnded(s: ClientSnapshot, force = false) {
    const d = s.debrief;
    endWait.hidden = !!d;
    if (!d) return;
    const anon = namesHidden();
    if (!force && d === endedFor && anon === endedAnon) return;
    if (d !== endedFor) fill(endCharts, debriefCharts(d.reports));
    endedFor = d;
    endedAnon = anon;
    fill(endAwards, awardsList(d, anon));
    fill(endBoard, leaderboardTable(d, anon, null, 10, true));
  }
  let last: ClientSnapshot | null = null;
  onNamesHiddenChange(() => { if (last) paintEnded(last, true); });

  return {
    el,
    render(s) {
      last = s;
      const st = s.state;
      if (!st) return;
      setText(headCode, st.code);
      setText(headRound, st.phase === "lobby" ? "Lobby" : st.phase === "ended" ? "Game over" : `Round ${st.round} / ${st.totalRounds}`);
      setText(headRule, RULESET_LABEL[st.ruleset] ?? st.ruleset);
      headRule.className = `badge p-rule rule-${st.ruleset}`;
      phase = st.phase;
      deadline = st.deadline;
      paused = st.paused;
      remaining = st.pausedRemainingMs;
      const view = st.phase === "lobby" ? "lobby" : st.phase === "ended" ? "ended" : "rounds";
      lobby.hidden = view !== "lobby";
      rounds.hidden = view !== "rounds";
      ended.hidden = view !== "ended";
      el.dataset.view = view;
      if (view === "lobby") paintLobby(st);
      else if (view === "rounds") { paintRounds(st); tick(); }
      else paintEnded(s);
    },
  };
}
