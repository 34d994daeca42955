/** The lobby: quick play, join by code (or a /join/CODE link), create a session as host, or open the projector. */
import { ArenaConnection, friendly, type JoinChoice } from "../net";
import { fill, h } from "./dom";

const SCENARIOS: [string, string][] = [
  ["dtao-launch", "dTAO launch (price EMA)"],
  ["oligarchy", "Oligarchy (root weights, pre-dTAO)"],
  ["taoflow", "Taoflow (TAO flow EMA)"],
  ["speculative-mania", "Speculative mania"],
  ["research-long-game", "Research long game"],
];

export function createLobby(conn: ArenaConnection, presetCode: string | null): HTMLElement {
  const name = h("input", { id: "name", name: "name", maxlength: 24, autocomplete: "nickname", placeholder: "e.g. Ada", value: ArenaConnection.rememberedName() });
  const roleBox = h("div", { class: "roles", role: "radiogroup", "aria-label": "Role" },
    ...(["staker", "builder", "validator"] as const).map((r, i) =>
      h("label", {}, h("input", { type: "radio", name: "role", value: r, checked: i === 0 }), r)));
  const error = h("p", { class: "msg", id: "lobby-error", role: "alert" });
  const code = h("input", { id: "code", name: "code", maxlength: 6, placeholder: "ABC234", autocapitalize: "characters", value: presetCode ?? "" });
  const scenario = h("select", { id: "scenario", name: "scenario" }, ...SCENARIOS.map(([v, l]) => h("option", { value: v }, l)));
  const rounds = h("input", { id: "rounds", type: "number", min: 1, max: 200, value: 12 });
  const seconds = h("input", { id: "roundSeconds", type: "number", min: 10, max: 3600, value: 90 });
  const bots = h("input", { id: "bots", type: "number", min: 0, max: 100, value: 4 });
  const projectorCode = h("input", { id: "projector-code", maxlength: 6, placeholder: "code", value: presetCode ?? "" });

  const choice = (): JoinChoice | null => {
    const n = name.value.trim();
    if (!n) { say("Choose a name first."); name.focus(); return null; }
    const role = (roleBox.querySelector("input:checked") as HTMLInputElement | null)?.value as JoinChoice["role"] ?? "staker";
    return { name: n, role };
  };
  const say = (text: string) => { error.textContent = text; error.className = text ? "msg err" : "msg"; };
  const busy = async (btn: HTMLButtonElement, fn: () => Promise<void>) => {
    say("");
    btn.disabled = true;
    try { await fn(); } catch (e) { say(friendly((e as Error).message)); } finally { btn.disabled = false; }
  };

  const quick = h("button", { class: "primary", id: "quick-play", type: "button" }, "Play now");
  quick.addEventListener("click", () => { const c = choice(); if (c) void busy(quick, () => conn.quickPlay(c)); });
  const joinBtn = h("button", { class: "primary", id: "join", type: "submit" }, "Join");
  const joinForm = h("form", { id: "join-form" },
    h("div", { class: "field" }, h("label", { for: "code" }, "Session code"), code), joinBtn);
  joinForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const c = choice();
    const value = code.value.trim().toUpperCase();
    if (!/^[A-Z0-9]{6}$/.test(value)) { say("A session code has 6 letters and digits."); code.focus(); return; }
    if (c) void busy(joinBtn, async () => {
      if (ArenaConnection.hasSeat(value) && (await conn.resume(value).catch(() => false))) return;
      await conn.join(value, c);
    });
  });
  const createBtn = h("button", { class: "primary", id: "create", type: "submit" }, "Create and host");
  const createForm = h("form", { id: "create-form" },
    h("div", { class: "field" }, h("label", { for: "scenario" }, "Scenario"), scenario),
    h("div", { class: "field" }, h("label", { for: "rounds" }, "Rounds"), rounds),
    h("div", { class: "field" }, h("label", { for: "roundSeconds" }, "Seconds per round"), seconds),
    h("div", { class: "field" }, h("label", { for: "bots" }, "Bots to fill the market"), bots),
    createBtn);
  createForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(createBtn, async () => {
      const created = await conn.createSession({
        scenario: scenario.value, rounds: Number(rounds.value), roundSeconds: Number(seconds.value), bots: Number(bots.value),
      });
      await conn.host(created.code, created.hostToken);
    });
  });
  const projBtn = h("button", { id: "projector", type: "submit" }, "Open projector view");
  const projForm = h("form", { id: "projector-form" }, h("div", { class: "field" }, h("label", { for: "projector-code" }, "Session code"), projectorCode), projBtn);
  projForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = projectorCode.value.trim().toUpperCase();
    if (!/^[A-Z0-9]{6}$/.test(value)) { say("A session code has 6 letters and digits."); return; }
    void busy(projBtn, () => conn.join(value, { name: "Projector", role: "spectator" }));
  });

  const root = h("main", { class: "lobby", id: "lobby" },
    h("h1", {}, "dtao-arena"),
    h("p", { class: "tagline" }, "Run a subnet, stake into its pool, or validate. Then switch the rules between the old root-validator oligarchy and Bittensor's dTAO market, and see who controls emission."),
    h("div", { class: "card", style: "margin-bottom:1rem" },
      h("div", { class: "field" }, h("label", { for: "name" }, "Your name"), name),
      roleBox, error),
    h("div", { class: "cards" },
      h("section", { class: "card" }, h("h2", {}, "Play now"), h("p", { class: "muted" }, "Join a public market that bots keep lively."), quick),
      h("section", { class: "card" }, h("h2", {}, "Join a class"), joinForm),
      h("section", { class: "card" }, h("h2", {}, "Host a session"), createForm),
      h("section", { class: "card" }, h("h2", {}, "Projector"), h("p", { class: "muted" }, "For the wall: code, countdown, charts."), projForm)));
  if (conn.store.get().error) say(conn.store.get().error ?? "");
  conn.store.subscribe((s) => { if (s.error) say(s.error); });
  void fill;
  return root;
}
