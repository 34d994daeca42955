/**
 * Host console: the join code large with a QR code, the roster by role (online, acted, bot), every
 * host control with its own result beside it, live charts (emission shares now, metrics per round
 * from the reports) and the export links.
 */
import QRCode from "qrcode";
import { BOT_STRATEGIES, botRole, RULESET_NAMES, SHOCK_KINDS, type BotStrategy } from "../../../shared/index";
import type { ArenaConnection } from "../net";
import type { ClientSnapshot, SyncedPlayer, SyncedState } from "../types";
import { num, pct, RULESET_LABEL, ROLE_COLOUR, tao } from "../format";
import { fill, h, setAttr, setDisabled, showResult, type Panel } from "./dom";
import { barList, controlFigure, correlationFigure, exportLinks, speculationFigure } from "./debrief";
import { liveShares, setText, subnetsSorted } from "./ticket";

export function joinUrl(code: string): string {
  return `${location.origin}/join/${code}`;
}

/** Draw the QR code for a join URL into an <img> (once per code). */
export function paintQr(img: HTMLImageElement, code: string, width = 320): void {
  if (!code || img.dataset.code === code) return;
  img.dataset.code = code;
  const url = joinUrl(code);
  img.alt = `QR code for ${url}`;
  QRCode.toDataURL(url, { margin: 1, width, errorCorrectionLevel: "M", color: { dark: "#000000", light: "#ffffff" } })
    .then((data) => { if (img.dataset.code === code) img.src = data; })
    .catch(() => { img.alt = `Open ${url}`; });
}

const ROLES = ["staker", "builder", "validator", "spectator"] as const;

const SHOCK_TEXT: Record<string, string> = {
  whaleExit: "Whale exit: the whale sells all its alpha in a subnet",
  exploit: "Exploit: capability and product drop, holders panic",
  breakthrough: "Breakthrough: capability jumps",
  hype: "Hype: momentum traders pile in",
  halving: "Halving: the block reward halves from now on",
};

/** "valueInvestor" → "value investor", with the role the bot joins as (from the shared bot rules). */
function strategyText(s: BotStrategy): string {
  return `${s.replace(/([A-Z])/g, " $1").toLowerCase()} (${botRole(s)})`;
}

/** A button whose click sends a host message and shows the answer beside it; optional two-step confirmation. */
function control(conn: ArenaConnection, id: string, label: string, type: string, payload: () => Record<string, unknown> | null, opts: { confirm?: string; okText?: string; primary?: boolean } = {}) {
  const button = h("button", { type: "button", id, class: opts.primary ? "primary" : "" }, label);
  const msg = h("span", { class: "msg", id: `${id}-result`, "aria-live": "polite" });
  let armed: ReturnType<typeof setTimeout> | null = null;
  const disarm = () => { if (armed) clearTimeout(armed); armed = null; button.textContent = label; button.classList.remove("danger"); };
  button.addEventListener("click", () => {
    const body = payload();
    if (body === null) return;
    if (opts.confirm && !armed) {
      button.textContent = opts.confirm;
      button.classList.add("danger");
      armed = setTimeout(disarm, 5000);
      return;
    }
    disarm();
    button.disabled = true;
    void conn.send(type, body).then((r) => {
      button.disabled = false;
      showResult(msg, r, opts.okText ?? "Done");
    });
  });
  const wrap = h("div", { class: "control" }, button, msg);
  return { button, msg, wrap };
}

interface PlayerRow { li: HTMLLIElement; name: HTMLElement; online: HTMLElement; acted: HTMLElement; kick: HTMLButtonElement; msg: HTMLElement; role: string }

export function createHostPanel(conn: ArenaConnection): Panel {
  // --- join ---------------------------------------------------------------------------------
  const code = h("div", { class: "join-code", id: "host-code", "aria-label": "Session code" });
  const qr = h("img", { class: "qr", id: "host-qr", width: 200, height: 200, alt: "" });
  const link = h("a", { id: "host-join-url", target: "_blank", rel: "noopener" });
  const join = h("div", { class: "host-join" }, h("div", {}, h("p", { class: "hint" }, "Join code"), code, link), qr);

  // --- controls -----------------------------------------------------------------------------
  const start = control(conn, "host-start", "▶ Start game", "host:start", () => ({}), { primary: true, okText: "Round 1 is open" });
  const pause = control(conn, "host-pause", "Pause", "host:pause", () => ({}), { okText: "Paused" });
  const resume = control(conn, "host-resume", "▶ Resume", "host:resume", () => ({}), { okText: "Resumed" });
  const extend = control(conn, "host-extend", "+30 s", "host:extend", () => ({ seconds: 30 }), { okText: "30 s added" });
  const advance = control(conn, "host-advance", "Resolve round now", "host:advance", () => ({}), { okText: "Round resolved" });
  const end = control(conn, "host-end", "End game", "host:end", () => ({}), { confirm: "Really end the game?", okText: "Game ended" });
  const balance = control(conn, "host-balance", "Balance roles", "host:balanceRoles", () => ({}), { okText: "Roles balanced" });

  const botCount = h("input", { type: "number", id: "host-bot-count", min: 1, max: 100, value: 2, inputmode: "numeric", "aria-label": "Number of bots" });
  const botStrategy = h("select", { id: "host-bot-strategy", "aria-label": "Bot strategy" },
    h("option", { value: "" }, "mixed strategies"), ...BOT_STRATEGIES.map((s) => h("option", { value: s }, strategyText(s))));
  const bots = control(conn, "host-bots", "Add bots", "host:bots", () => {
    const n = Number(botCount.value);
    if (!Number.isInteger(n) || n < 1 || n > 100) { showResult(bots.msg, { ok: false, message: "Choose 1 to 100 bots." }); botCount.focus(); return null; }
    return botStrategy.value ? { count: n, strategy: botStrategy.value } : { count: n };
  }, { okText: "Bots added" });

  const ruleset = h("select", { id: "host-ruleset", "aria-label": "Rule set" }, ...RULESET_NAMES.map((r) => h("option", { value: r }, RULESET_LABEL[r] ?? r)));
  let rulesetTouched = false;
  ruleset.addEventListener("change", () => { rulesetTouched = true; });
  const applyRuleset = control(conn, "host-ruleset-apply", "Switch rule set", "host:ruleset", () => ({ ruleset: ruleset.value }),
    { okText: "Applies from the next resolution" });
  applyRuleset.button.addEventListener("click", () => { rulesetTouched = false; });

  const shockKind = h("select", { id: "host-shock-kind", "aria-label": "Shock" }, ...SHOCK_KINDS.map((k) => h("option", { value: k }, SHOCK_TEXT[k] ?? k)));
  const shockSubnet = h("select", { id: "host-shock-subnet", "aria-label": "Target subnet" });
  const shock = control(conn, "host-shock", "Queue shock", "host:shock", () => {
    const kind = shockKind.value;
    return kind === "halving" || !shockSubnet.value ? { kind } : { kind, subnet: Number(shockSubnet.value) };
  }, { okText: "Queued for the next resolution" });
  shockKind.addEventListener("change", () => { shockSubnet.disabled = shockKind.value === "halving"; });

  const controls = h("div", { class: "host-controls" },
    h("div", { class: "control-row" }, start.wrap, pause.wrap, resume.wrap, extend.wrap, advance.wrap, end.wrap),
    h("div", { class: "control-group" }, h("label", { for: "host-bot-count" }, "Bots"), h("div", { class: "input-row" }, botCount, botStrategy), bots.wrap),
    h("div", { class: "control-group" }, h("label", { for: "host-ruleset" }, "Rule set"), ruleset, applyRuleset.wrap),
    h("div", { class: "control-group" }, h("label", { for: "host-shock-kind" }, "Shock"), h("div", { class: "input-row" }, shockKind, shockSubnet), shock.wrap),
    h("div", { class: "control-group" }, h("span", { class: "hint" }, "Lobby only: spread the people who joined across the roles."), balance.wrap),
  );

  // --- roster -------------------------------------------------------------------------------
  const rosterHead = h("h3", { id: "host-roster-head" }, "Players");
  const groups = Object.fromEntries(ROLES.map((r) => [r, {
    head: h("h4", {}, r), list: h("ul", { class: "roster", id: `roster-${r}` }),
  }])) as Record<string, { head: HTMLElement; list: HTMLUListElement }>;
  const roster = h("div", { class: "roster-groups" }, ...ROLES.map((r) => h("div", { class: `roster-group role-${r}` }, groups[r].head, groups[r].list)));
  const rows = new Map<string, PlayerRow>();

  function playerRow(p: SyncedPlayer): PlayerRow {
    const name = h("span", { class: "pname" });
    const online = h("span", { class: "online" });
    const acted = h("span", { class: "acted" });
    const msg = h("span", { class: "msg" });
    const kick = h("button", { type: "button", class: "small", "aria-label": `Remove ${p.name}` }, "Kick");
    let armed: ReturnType<typeof setTimeout> | null = null;
    kick.addEventListener("click", () => {
      if (!armed) {
        kick.textContent = "Confirm kick?";
        kick.classList.add("danger");
        armed = setTimeout(() => { armed = null; kick.textContent = "Kick"; kick.classList.remove("danger"); }, 5000);
        return;
      }
      clearTimeout(armed);
      armed = null;
      kick.textContent = "Kick";
      kick.classList.remove("danger");
      kick.disabled = true;
      void conn.send("host:kick", { playerId: p.id }).then((r) => { kick.disabled = false; showResult(msg, r, "Removed"); });
    });
    const li = h("li", { "data-player": p.id }, name, online, acted, kick, msg);
    return { li, name, online, acted, kick, msg, role: "" };
  }

  function paintRoster(st: SyncedState) {
    const players = Object.values(st.players);
    const seen = new Set<string>();
    const counts: Record<string, number> = {};
    for (const p of players.sort((a, b) => a.name.localeCompare(b.name))) {
      seen.add(p.id);
      let row = rows.get(p.id);
      if (!row) { row = playerRow(p); rows.set(p.id, row); }
      const role = (ROLES as readonly string[]).includes(p.role) ? p.role : "spectator";
      counts[role] = (counts[role] ?? 0) + 1;
      if (row.role !== role || row.li.parentElement !== groups[role].list) { groups[role].list.append(row.li); row.role = role; }
      setText(row.name, `${p.name}${p.bot ? " (bot)" : ""}`);
      setText(row.online, p.connected || p.bot ? "● online" : "○ offline");
      row.online.className = p.connected || p.bot ? "online on" : "online off";
      const actedText = st.phase === "acting" && role !== "spectator" ? (p.acted ? "✓ acted" : "… waiting") : "";
      setText(row.acted, actedText);
      row.acted.className = p.acted ? "acted yes" : "acted";
      row.li.title = `${p.role} · net worth ${tao(p.worth)}`;
    }
    for (const [id, row] of rows) if (!seen.has(id)) { row.li.remove(); rows.delete(id); }
    for (const r of ROLES) {
      setText(groups[r].head, `${r}s (${counts[r] ?? 0})`);
      groups[r].head.style.color = ROLE_COLOUR[r] ?? "";
    }
    const people = players.filter((p) => p.role !== "spectator");
    const acted = people.filter((p) => p.acted).length;
    setText(rosterHead, `Players: ${people.length}${st.phase === "acting" ? ` · ${acted} acted this round` : ""} · ${players.filter((p) => p.connected).length} online`);
  }

  // --- charts -------------------------------------------------------------------------------
  const shares = h("div", { class: "bars", id: "host-shares" });
  const sharesNote = h("p", { class: "hint" });
  const metricCharts = h("div", { class: "host-metrics", id: "host-metrics" });
  const exports = h("div", { id: "host-exports" });
  let chartsKey = "";
  let subnetKey = "";

  const el = h("section", { class: "card host", id: "host", "aria-label": "Host console" },
    h("h2", {}, "Host console"), join, controls,
    rosterHead, roster,
    h("h3", {}, "Emission shares"), shares, sharesNote,
    h("h3", {}, "Metrics per round"), metricCharts,
    h("h3", {}, "Export"), exports);

  function paintControls(st: SyncedState) {
    const lobby = st.phase === "lobby";
    const acting = st.phase === "acting";
    const ended = st.phase === "ended";
    setDisabled(start.button, !lobby);
    setDisabled(pause.button, !acting || st.paused);
    setDisabled(resume.button, !st.paused);
    setDisabled(extend.button, !acting);
    setDisabled(advance.button, !acting);
    setDisabled(end.button, ended);
    setDisabled(balance.button, !lobby);
    setDisabled(bots.button, ended);
    setDisabled(applyRuleset.button, ended);
    setDisabled(shock.button, ended);
    if (!rulesetTouched && document.activeElement !== ruleset && ruleset.value !== st.ruleset) ruleset.value = st.ruleset;
    const key = subnetsSorted(st).map((s) => `${s.netuid}:${s.name}`).join("|");
    if (key !== subnetKey) {
      subnetKey = key;
      const keep = shockSubnet.value;
      shockSubnet.replaceChildren(h("option", { value: "" }, "random subnet"),
        ...subnetsSorted(st).map((s) => h("option", { value: s.netuid }, `SN${s.netuid} ${s.name}`)));
      shockSubnet.value = [...shockSubnet.options].some((o) => o.value === keep) ? keep : "";
    }
  }

  function paintCharts(s: ClientSnapshot, st: SyncedState) {
    const live = liveShares(st);
    const subs = subnetsSorted(st);
    barList(shares, subs.map((x) => ({
      key: x.netuid, label: `SN${x.netuid} ${x.name}`, value: live[x.netuid] ?? 0,
      text: pct(live[x.netuid] ?? 0, 1), note: `last ${pct(Number(x.emissionShare), 1)} · ${num(x.price)} τ`,
    })), Math.max(0.05, ...subs.map((x) => live[x.netuid] ?? 0)));
    setText(sharesNote, `Bars: emission share if the round resolved now (last round's share beside it) · price · ${RULESET_LABEL[st.ruleset] ?? st.ruleset}`);
    const key = `${s.reports.length}|${s.reports.at(-1)?.round ?? 0}`;
    if (key === chartsKey) return;
    chartsKey = key;
    if (s.reports.length === 0) { fill(metricCharts, h("p", { class: "muted" }, "Charts start after the first round resolves.")); return; }
    fill(metricCharts, controlFigure(s.reports), correlationFigure(s.reports), speculationFigure(s.reports));
  }

  let exportKey = "";
  return {
    el,
    render(s) {
      const st = s.state;
      if (!st) return;
      setText(code, st.code);
      setText(link, joinUrl(st.code));
      setAttr(link, "href", joinUrl(st.code));
      paintQr(qr, st.code);
      paintControls(st);
      paintRoster(st);
      paintCharts(s, st);
      const ek = `${st.code}|${s.hostToken ?? ""}`;
      if (ek !== exportKey) {
        exportKey = ek;
        fill(exports, s.hostToken ? exportLinks(st.code, s.hostToken) : h("p", { class: "muted" }, "Exports need the host token of this session."));
      }
    },
  };
}
