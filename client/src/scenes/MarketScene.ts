/**
 * The market, drawn by Phaser: every subnet a pool "tank" (TAO and alpha levels, price, emission
 * share bar, price sparkline, your position marked), root set apart as the safe harbour, and at each
 * resolution emission visibly flowing from the block reward into the pools by share.
 */
import Phaser from "phaser";
import type { ClientSnapshot, SyncedState, SyncedSubnet } from "../types";
import { num, pct } from "../format";
import { projectShares } from "../../../shared/index";

const COLOURS = { tao: 0x56b4e9, alpha: 0xe69f00, share: 0x009e73, mine: 0xf0e442, root: 0xcc79a7, card: 0x171b22, line: 0x2a313c, text: "#eef1f5", muted: "#9aa4b2" };
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

export interface Layout { x: number; y: number; w: number; h: number }

export class MarketScene extends Phaser.Scene {
  private g!: Phaser.GameObjects.Graphics;
  private texts = new Map<string, Phaser.GameObjects.Text>();
  private snapshot: ClientSnapshot | null = null;
  private lastBlock = -1;
  /** Card positions by netuid ("0" = root), for animations and tests. */
  readonly layout = new Map<string, Layout>();

  constructor() {
    super("Market");
  }

  /** Frames still to render before the loop may sleep. */
  private framesLeft = 0;

  /**
   * Render only while something changes: the market is still most of the time, and a sleeping game
   * loop leaves the last frame on the canvas and the main thread to the rest of the page (each frame
   * Phaser draws costs ~30 ms in software WebGL with 64 subnets). Counted in rendered frames, not
   * time, so the loop never sleeps before the change is on the canvas.
   */
  private awake(frames = 2) {
    this.framesLeft = Math.max(this.framesLeft, frames);
    this.game.loop.wake();
  }

  private onPostRender = () => {
    if (this.framesLeft > 0) this.framesLeft--;
    else if (this.tweens.getTweens().length === 0) this.game.loop.sleep();
  };

  private scrollBox: HTMLElement | null = null;

  /** Make the market's scroll range `extra` pixels and keep the camera at its scroll position. */
  private followScroll(extra: number) {
    const box = this.game.canvas.parentElement?.parentElement ?? null;
    if (!box) return;
    const spacer = box.querySelector<HTMLElement>(".market-spacer");
    const want = `${Math.max(0, Math.round(extra))}px`;
    if (spacer && spacer.style.height !== want) spacer.style.height = want;
    if (this.scrollBox !== box) {
      this.scrollBox = box;
      box.addEventListener("scroll", () => { this.cameras.main.scrollY = box.scrollTop; this.awake(); }, { passive: true });
    }
    this.cameras.main.scrollY = Math.min(box.scrollTop, Math.max(0, extra));
  }

  create() {
    this.game.events.on("postrender", this.onPostRender);
    this.events.once("destroy", () => this.game.events.off("postrender", this.onPostRender));
    this.g = this.add.graphics();
    this.scale.on("resize", () => { this.lastSignature = ""; this.redraw(); });
    this.redraw();
  }

  /** Called by the app on every store change (not Phaser's per-frame update). */
  show(snapshot: ClientSnapshot) {
    const st = snapshot.state;
    this.snapshot = snapshot;
    if (!this.sys.isActive()) return;
    // Patches arrive many times a second; redraw only when what the market shows changed.
    const key = this.signature(snapshot);
    if (key !== this.lastSignature) {
      this.lastSignature = key;
      this.redraw();
    }
    // A resolution moves the chain's block count: emission flows in by the shares it was split with.
    if (st && st.block > this.lastBlock) {
      if (this.lastBlock >= 0) this.animateEmission(Object.values(st.subnets).map((s) => ({ netuid: s.netuid, share: Number(s.emissionShare) })));
      this.lastBlock = st.block;
    }
  }

  private lastSignature = "";

  private signature(snapshot: ClientSnapshot): string {
    const st = snapshot.state;
    if (!st) return "";
    const me = snapshot.seat?.playerId ? st.players[snapshot.seat.playerId] : undefined;
    let key = `${st.round}|${st.phase}|${me ? JSON.stringify(me.alpha) + me.rootStake : ""}|`;
    for (const s of Object.values(st.subnets)) key += `${s.netuid}:${s.taoReserve}:${s.alphaReserve}:${s.emissionShare}:${s.priceHistory.length}:${s.flowThisRound}:${s.immune};`;
    key += `|${st.rootTotal}`;
    return key;
  }

  private text(key: string, x: number, y: number, value: string, size: number, colour = COLOURS.text, bold = false) {
    let t = this.texts.get(key);
    if (!t) {
      t = this.add.text(x, y, value, { fontFamily: FONT, fontSize: `${size}px`, color: colour, fontStyle: bold ? "bold" : "normal" });
      t.setData("style", `${colour}|${size}`);
      this.texts.set(key, t);
    } else {
      // Each style or text change re-renders the text's texture: only touch what changed.
      if (t.x !== x || t.y !== y) t.setPosition(x, y);
      if (t.text !== value) t.setText(value);
      if (t.getData("style") !== `${colour}|${size}`) {
        t.setColor(colour).setFontSize(size);
        t.setData("style", `${colour}|${size}`);
      }
    }
    if (!t.visible) t.setVisible(true);
    t.setData("seen", true);
    return t;
  }

  redraw() {
    const g = this.g;
    if (!g) return;
    this.awake();
    g.clear();
    for (const t of this.texts.values()) t.setData("seen", false);
    const state = this.snapshot?.state;
    const W = this.scale.width;
    const H = this.scale.height;
    if (!state) {
      this.text("empty", 16, 16, "Waiting for the market…", 16, COLOURS.muted);
      this.hideUnseen();
      return;
    }
    const me = this.snapshot?.seat?.playerId ? state.players[this.snapshot.seat.playerId] : undefined;
    const subnets = Object.values(state.subnets).sort((a, b) => Number(a.netuid) - Number(b.netuid));
    const n = subnets.length + 1;
    const cols = Math.max(1, Math.min(n, Math.floor(W / 170)));
    const rows = Math.ceil(n / cols);
    const pad = 8;
    const cw = (W - pad * (cols + 1)) / cols;
    // Pools that do not fit the visible height at the smallest card size extend the world below it:
    // the spacer after the canvas gives the market that much scroll, and the camera follows it.
    const need = pad + rows * (120 + pad);
    const worldH = Math.max(H, need);
    this.followScroll(worldH - H);
    const ch = Math.max(120, Math.min(240, (worldH - pad * (rows + 1)) / rows));
    const maxTao = Math.max(1, ...subnets.map((s) => Number(s.taoReserve)));
    const maxAlpha = Math.max(1, ...subnets.map((s) => Number(s.alphaReserve)));
    // Before the first resolution (and between), show the share the subnet would get if the round
    // resolved now: the same shared function the server uses.
    const projected = projectShares({
      emissionRule: state.rules.emissionRule, priceEmaRate: state.rules.priceEmaRate,
      priceEmaHalvingRounds: state.rules.priceEmaHalvingRounds, flowEmaRate: state.rules.flowEmaRate,
      flowCutoff: state.rules.flowCutoff, round: state.round, subnets,
    });
    this.layout.clear();
    const place = (i: number): Layout => ({ x: pad + (i % cols) * (cw + pad), y: pad + Math.floor(i / cols) * (ch + pad), w: cw, h: ch });
    this.drawRoot(state, place(0), me?.rootStake);
    subnets.forEach((s, i) => this.drawPool(s, place(i + 1), maxTao, maxAlpha, Number(projected[s.netuid] ?? 0), me?.alpha[s.netuid], state.rules.emissionRule));
    this.hideUnseen();
  }

  private hideUnseen() {
    for (const t of this.texts.values()) if (!t.getData("seen") && t.visible) t.setVisible(false);
  }

  private drawRoot(state: SyncedState, L: Layout, myRoot: string | undefined) {
    const g = this.g;
    this.layout.set("0", L);
    g.fillStyle(0x201726, 1).fillRoundedRect(L.x, L.y, L.w, L.h, 10);
    g.lineStyle(2, COLOURS.root, 1).strokeRoundedRect(L.x, L.y, L.w, L.h, 10);
    const totalRoot = state.rootTotal;
    this.text("root.title", L.x + 10, L.y + 8, "Root · SN0", 15, COLOURS.text, true);
    this.text("root.sub", L.x + 10, L.y + 28, "safe harbour: 1 τ = 1 τ, no pool", 11, COLOURS.muted);
    this.text("root.total", L.x + 10, L.y + 50, `${num(totalRoot)} τ staked`, 14);
    if (myRoot && Number(myRoot) > 0) this.text("root.mine", L.x + 10, L.y + 72, `yours: ${num(myRoot)} τ`, 13, "#F0E442");
    this.text("root.rule", L.x + 10, L.y + L.h - 22, state.rules.rootPayout === "claimAlpha" ? "paid in claimable α" : "paid in τ", 11, COLOURS.muted);
  }

  private drawPool(s: SyncedSubnet, L: Layout, maxTao: number, maxAlpha: number, projectedShare: number, mine: string | undefined, rule: string) {
    const g = this.g;
    const k = `sn${s.netuid}`;
    this.layout.set(s.netuid, L);
    g.fillStyle(COLOURS.card, 1).fillRoundedRect(L.x, L.y, L.w, L.h, 10);
    g.lineStyle(1, mine ? COLOURS.mine : COLOURS.line, 1).strokeRoundedRect(L.x, L.y, L.w, L.h, 10);
    this.text(`${k}.name`, L.x + 10, L.y + 6, `${s.name} · SN${s.netuid}${s.immune ? " (immune)" : ""}`, 13, COLOURS.text, true);
    this.text(`${k}.price`, L.x + 10, L.y + 24, `${num(s.price)} τ/α`, 13);
    // Tank: TAO level (left) and alpha level (right), scaled to the deepest pool.
    const tankH = L.h - 78;
    const tx = L.x + 10;
    const ty = L.y + 44;
    const tw = 18;
    const taoLevel = Math.max(2, (Number(s.taoReserve) / maxTao) * tankH);
    const alphaLevel = Math.max(2, (Number(s.alphaReserve) / maxAlpha) * tankH);
    g.lineStyle(1, COLOURS.line, 1).strokeRect(tx, ty, tw, tankH).strokeRect(tx + tw + 4, ty, tw, tankH);
    g.fillStyle(COLOURS.tao, 0.9).fillRect(tx, ty + tankH - taoLevel, tw, taoLevel);
    g.fillStyle(COLOURS.alpha, 0.9).fillRect(tx + tw + 4, ty + tankH - alphaLevel, tw, alphaLevel);
    const infoX = tx + 2 * tw + 12;
    this.text(`${k}.tao`, infoX, ty, `τ ${num(s.taoReserve)}`, 11, "#56B4E9");
    this.text(`${k}.alpha`, infoX, ty + 14, `α ${num(s.alphaReserve)}`, 11, "#E69F00");
    // What drives emission under the rule in force: the price EMA, or the TAO-flow EMA.
    this.text(`${k}.ema`, infoX, ty + 28, rule === "taoFlow" ? `flow EMA ${Number(s.flowEma) >= 0 ? "+" : ""}${num(s.flowEma)} τ` : `EMA ${num(s.priceEma)}`, 11, COLOURS.muted);
    // Sparkline of recent prices.
    const hist = s.priceHistory.map(Number).filter((x) => Number.isFinite(x));
    const sx = infoX;
    const sy = ty + 46;
    const sw = L.x + L.w - 10 - sx;
    const sh = Math.max(12, tankH - 48);
    if (hist.length > 1 && sw > 20) {
      const lo = Math.min(...hist);
      const hi = Math.max(...hist);
      const span = hi - lo || hi || 1;
      g.lineStyle(1.5, 0xeef1f5, 0.8).beginPath();
      hist.forEach((p, i) => {
        const x = sx + (i / (hist.length - 1)) * sw;
        const y = sy + sh - ((p - lo) / span) * sh;
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.strokePath();
    }
    // Emission share bar: last round's share, and a marker at the share if the round resolved now.
    const share = Number(s.emissionShare) || 0;
    const by = L.y + L.h - 26;
    const bw = L.w - 20;
    g.fillStyle(0x0b0e12, 1).fillRect(L.x + 10, by, bw, 8);
    g.fillStyle(COLOURS.share, 1).fillRect(L.x + 10, by, bw * Math.min(1, share), 8);
    const px = L.x + 10 + bw * Math.min(1, projectedShare);
    g.fillStyle(0xeef1f5, 1).fillTriangle(px - 4, by - 5, px + 4, by - 5, px, by);
    this.text(`${k}.share`, L.x + 10, by + 10, `emission ${pct(share)} → ${pct(projectedShare)}`, 11, COLOURS.muted);
    if (mine && Number(mine) > 0) this.text(`${k}.mine`, L.x + L.w - 10, L.y + 24, `you ${num(mine)} α`, 11, "#F0E442").setOrigin(1, 0);
  }

  /**
   * Emission visibly flows from the block reward into the pools, in proportion to their shares. The
   * dots are a DOM layer over the canvas moved by CSS transforms: the browser's compositor animates
   * them while the canvas keeps its last frame, where tweening them in the scene made every frame
   * of the flow redraw all the pools (about 30 ms a frame in software WebGL with 64 subnets).
   */
  private animateEmission(shares: { netuid: string; share: number }[]) {
    if (window.matchMedia?.("(prefers-reduced-motion: reduce)").matches) return;
    const host = this.game.canvas.parentElement;
    if (!host) return;
    let layer = host.querySelector<HTMLElement>(".flow-layer");
    if (!layer) {
      layer = document.createElement("div");
      layer.className = "flow-layer";
      layer.setAttribute("aria-hidden", "true");
      host.appendChild(layer);
    }
    const scrollY = this.cameras.main.scrollY;
    const origin = { x: this.scale.width / 2, y: -10 };
    const dots: [HTMLElement, string][] = [];
    for (const { netuid, share } of shares) {
      const L = this.layout.get(netuid);
      if (!L || share <= 0) continue;
      const y = L.y + L.h - 40 - scrollY;
      if (y < -20 || y > this.scale.height + 20) continue; // not on screen
      const count = Math.max(1, Math.round(share * 40));
      for (let i = 0; i < count; i++) {
        const dot = document.createElement("span");
        dot.className = "flow-dot";
        dot.style.transform = `translate(${origin.x + (i % 7) * 3}px, ${origin.y}px)`;
        dot.style.transitionDuration = `${700 + (i % 10) * 40}ms`;
        dot.style.transitionDelay = `${i * 12}ms`;
        dot.addEventListener("transitionend", () => dot.remove(), { once: true });
        layer.appendChild(dot);
        dots.push([dot, `translate(${L.x + 20 + (i % 5) * 4}px, ${y}px)`]);
      }
    }
    // Start the moves on the next frame, from the positions just laid out.
    requestAnimationFrame(() => { for (const [dot, to] of dots) dot.style.transform = to; });
    // A dot whose transition never ends (a hidden tab) is removed anyway.
    setTimeout(() => { for (const [dot] of dots) dot.remove(); }, 3000);
  }
}
