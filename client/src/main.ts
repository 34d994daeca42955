/**
 * Client entry: the lobby until a seat is taken, then the game shell — top bar, the Phaser market,
 * the role panel (staker ticket, builder console, validator weights, host console) with the
 * portfolio, the event feed and leaderboard — or the projector view for spectators.
 */
import Phaser from "phaser";
import "./styles.css";
import "./ui/panels.css";
import { ArenaConnection } from "./net";
import { Store } from "./store";
import { MarketScene } from "./scenes/MarketScene";
import { h, type Panel } from "./ui/dom";
import { createLobby } from "./ui/lobby";
import { createTopbar } from "./ui/topbar";
import { createFeed, createLeaderboard } from "./ui/feed";
import { createTicketPanel } from "./ui/ticket";
import { createBuilderPanel } from "./ui/builder";
import { createValidatorPanel } from "./ui/validator";
import { createPortfolioPanel } from "./ui/portfolio";
import { createHostPanel } from "./ui/host";
import { createProjectorPanel } from "./ui/projector";
import { createDebriefPanel } from "./ui/debrief";
import { openGlossary } from "./ui/glossary";
import type { ClientSnapshot } from "./types";

const store = new Store();
const conn = new ArenaConnection(store);
const app = document.getElementById("app")!;
const presetCode = /^\/join\/([A-Za-z0-9]{4,12})\/?$/.exec(location.pathname)?.[1]?.toUpperCase() ?? null;

let mode: "lobby" | "game" | "projector" | null = null;
/** The role the game shell was built for: the host may change a player's role in the lobby. */
let mountedRole: string | null = null;
let game: Phaser.Game | null = null;
let panels: Panel[] = [];
let market: MarketScene | null = null;

function mountLobby() {
  mode = "lobby";
  destroyGame();
  panels = [];
  app.replaceChildren(createLobby(conn, presetCode));
}

function mountProjector() {
  mode = "projector";
  destroyGame();
  const projector = createProjectorPanel(conn);
  panels = [projector];
  app.replaceChildren(projector.el);
}

/** A player's role comes from the synced state (it can change in the lobby); the host's from its seat. */
function roleOf(s: ClientSnapshot): string {
  const id = s.seat?.playerId;
  return (id && s.state?.players[id]?.role) || s.seat?.role || "staker";
}

function mountGame(s: ClientSnapshot) {
  mode = "game";
  destroyGame();
  const role = roleOf(s);
  mountedRole = role;
  const topbar = createTopbar(conn, () => openGlossary());
  const side: Panel[] = [];
  if (role === "host") side.push(createHostPanel(conn));
  else {
    if (role === "builder") side.push(createBuilderPanel(conn));
    if (role === "validator") side.push(createValidatorPanel(conn));
    side.push(createTicketPanel(conn));
    side.push(createPortfolioPanel(conn));
  }
  const feed = createFeed(conn);
  const board = createLeaderboard(conn);
  const debrief = createDebriefPanel(conn);
  // The canvas stays the size of the visible market; a spacer gives the pools' full height to the
  // native scrollbar, and the scene's camera follows the scroll (MarketScene.followScroll).
  const canvasHost = h("div", { class: "market-canvas" });
  const marketEl = h("section", { class: "market", id: "market", "aria-label": "Market: subnet pools" }, canvasHost, h("div", { class: "market-spacer" }));
  const banner = h("div", { class: "banner", id: "banner", hidden: true });
  app.replaceChildren(h("div", { class: "shell" },
    h("div", {}, topbar.el, banner),
    h("div", {}, h("div", { class: "main" }, marketEl, h("aside", { class: "side" }, ...side.map((p) => p.el))),
      h("div", { class: "bottom" }, feed.el, board.el), debrief.el)));
  panels = [topbar, ...side, feed, board, debrief, {
    el: banner,
    render(snap) {
      const text = snap.status === "reconnecting" ? "Reconnecting… your seat is kept."
        : snap.status === "replaced" ? "This seat is now open in another tab or device. This tab is stale."
        : snap.status === "kicked" ? "The host removed you from this session."
        : snap.status === "lost" ? snap.error ?? "Connection lost." : "";
      banner.textContent = text;
      banner.hidden = !text;
    },
  }];
  market = new MarketScene();
  game = new Phaser.Game({
    type: Phaser.AUTO,
    parent: canvasHost,
    backgroundColor: "#171b22",
    scale: { mode: Phaser.Scale.RESIZE, width: "100%", height: "100%" },
    scene: [market],
    banner: false,
  });
}

function destroyGame() {
  game?.destroy(true);
  game = null;
  market = null;
}

/** Panels repaint at most this often: patches arrive up to 20 times a second; people read at 5. */
const RENDER_INTERVAL_MS = 200;
let renderTimer: ReturnType<typeof setTimeout> | null = null;
let lastRender = 0;

/** Time spent painting, by panel (element id or class) and the market: a hook for bench/client.ts. */
const paintMs: Record<string, number> = {};

function paint(s: ClientSnapshot) {
  lastRender = performance.now();
  for (const p of panels) {
    const t = performance.now();
    p.render(s);
    const key = p.el.id || p.el.className || "panel";
    paintMs[key] = (paintMs[key] ?? 0) + performance.now() - t;
  }
  const t = performance.now();
  market?.show(s);
  paintMs.market = (paintMs.market ?? 0) + performance.now() - t;
}

store.subscribe((s) => {
  const inGame = s.state !== null && s.seat !== null && (s.status === "open" || s.status === "reconnecting" || s.status === "replaced" || s.status === "kicked" || s.status === "lost");
  const want = !inGame ? "lobby" : s.seat?.role === "spectator" ? "projector" : "game";
  if (want !== mode || (want === "game" && roleOf(s) !== mountedRole)) {
    if (want === "lobby") mountLobby();
    else if (want === "projector") mountProjector();
    else mountGame(s);
    paint(s);
    return;
  }
  // Connection changes paint at once; state patches are throttled.
  const wait = RENDER_INTERVAL_MS - (performance.now() - lastRender);
  if (wait <= 0 || s.status !== "open") { paint(s); return; }
  if (renderTimer) return;
  renderTimer = setTimeout(() => { renderTimer = null; paint(store.get()); }, wait);
});

// A reload (or a /join link) in a browser that already holds a seat goes straight back in.
const resumeCode = presetCode ?? sessionStorage.getItem("dtao-arena.code");
if (resumeCode && ArenaConnection.hasSeat(resumeCode)) void conn.resume(resumeCode).catch(() => undefined);
store.subscribe((s) => { if (s.state?.code) sessionStorage.setItem("dtao-arena.code", s.state.code); });

// Test hooks (small and read-only by convention): the e2e tests read state instead of clicking blind.
declare global { interface Window { __arena?: unknown } }
window.__arena = { store, conn, paintMs, get game() { return game; }, get market() { return market; }, get mode() { return mode; } };
