/** Top bar: code, round k of n, phase and countdown, the rule set badge, connection state, glossary. */
import type { ArenaConnection } from "../net";
import { countdown, RULESET_LABEL } from "../format";
import { h, type Panel } from "./dom";

const STATUS_TEXT: Record<string, string> = {
  open: "● online", connecting: "connecting…", reconnecting: "reconnecting…", lost: "connection lost",
  replaced: "open in another tab", kicked: "removed by the host", idle: "offline",
};

export function createTopbar(_conn: ArenaConnection, onGlossary: () => void): Panel & { tick(): void } {
  const code = h("span", { class: "code", id: "session-code" });
  const round = h("span", { id: "round" });
  const phase = h("span", { id: "phase", class: "badge" });
  const clock = h("span", { class: "clock", id: "clock", "aria-live": "off" });
  const rule = h("span", { class: "badge", id: "ruleset" });
  const role = h("span", { class: "badge", id: "my-role" });
  const conn = h("span", { class: "conn", id: "conn", "aria-live": "polite" });
  const gloss = h("button", { type: "button", id: "glossary-open", "aria-label": "Glossary" }, "?");
  gloss.addEventListener("click", onGlossary);
  const el = h("header", { class: "topbar" }, code, round, phase, clock, rule, role, conn, gloss);
  let deadline = 0;
  let paused = false;
  let remaining = 0;
  const tick = () => { clock.textContent = paused ? `⏸ ${countdown(remaining)}` : deadline ? countdown(deadline - Date.now()) : ""; };
  setInterval(tick, 250);
  return {
    el,
    tick,
    render(s) {
      const st = s.state;
      conn.textContent = STATUS_TEXT[s.status] ?? s.status;
      conn.className = `conn ${s.status}`;
      role.textContent = s.seat ? `${s.seat.name} · ${s.seat.role}` : "";
      if (!st) return;
      code.textContent = st.code;
      round.textContent = st.phase === "lobby" ? "Lobby" : `Round ${st.round} of ${st.totalRounds}`;
      phase.textContent = st.paused ? "paused" : st.phase;
      rule.textContent = RULESET_LABEL[st.ruleset] ?? st.ruleset;
      rule.className = `badge rule-${st.ruleset}`;
      deadline = st.deadline;
      paused = st.paused;
      remaining = st.pausedRemainingMs;
      tick();
    },
  };
}
