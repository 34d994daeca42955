/**
 * The debrief: the story of the game in a few charts with one-sentence captions (emission share
 * against the true quality revealed at the end, concentration of control, speculative premium and
 * research), the awards, and the final leaderboard with an option to hide names.
 *
 * The chart helpers here (plain SVG and HTML bars, no library) are also used by the host console
 * and the projector.
 */
import type { ArenaConnection } from "../net";
import type { ClientSnapshot, Debrief, PublicReport } from "../types";
import { num, PALETTE, pct, RULESET_LABEL, tao } from "../format";
import { fill, h, type Panel, showResult } from "./dom";

const SVG_NS = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** Colours for series, in a fixed order; each series also gets its own dash pattern and a direct label. */
export const SERIES_COLOURS = [PALETTE.sky, PALETTE.orange, PALETTE.green, PALETTE.yellow, PALETTE.purple, PALETTE.vermillion, PALETTE.blue, PALETTE.grey];
const DASHES = ["", "8 5", "2 4", "12 4 2 4"];

export interface Series {
  label: string;
  values: (number | null)[];
  colour?: string;
  dash?: string;
}

export interface LineChartOptions {
  /** X positions (round numbers), one per value. */
  x: number[];
  series: Series[];
  yMin?: number;
  yMax?: number;
  yFormat?: (v: number) => string;
  /** Accessible summary of what the chart shows. */
  label: string;
  /** Vertical markers, e.g. where the rule set changed. */
  marks?: { x: number; label: string }[];
  width?: number;
  height?: number;
}

/**
 * A responsive SVG line chart with axes and optional vertical markers, plus an HTML legend under it
 * (line sample with the series' colour and dash, its name and last value): never colour alone.
 */
export function lineChart(o: LineChartOptions): HTMLElement {
  // A small viewBox keeps the text legible when the chart sits in a 350 px side column; it scales up elsewhere.
  const W = o.width ?? 420;
  const H = o.height ?? 210;
  const m = { l: 52, r: 12, t: 12, b: 32 };
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let yMin = o.yMin ?? Math.min(0, ...all);
  let yMax = o.yMax ?? Math.max(1e-9, ...all);
  if (yMax - yMin < 1e-12) { yMax = yMin + 1; }
  if (o.yMax === undefined) yMax += (yMax - yMin) * 0.05;
  const xMin = o.x.length ? Math.min(...o.x) : 0;
  const xMax = o.x.length ? Math.max(...o.x) : 1;
  const px = (x: number) => m.l + (xMax === xMin ? (W - m.l - m.r) / 2 : ((x - xMin) / (xMax - xMin)) * (W - m.l - m.r));
  const py = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const fmt = o.yFormat ?? ((v: number) => num(v, 3));
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart line-chart", role: "img", "aria-label": o.label, preserveAspectRatio: "xMidYMid meet" });
  root.append(svg("title", {}, o.label));
  // grid and y ticks
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    const y = py(v);
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: m.l - 6, y: y + 4, class: "tick", "text-anchor": "end" }, fmt(v)));
  }
  // x ticks: at most ~10 labels
  const step = Math.max(1, Math.ceil(o.x.length / 10));
  o.x.forEach((x, i) => {
    if (i % step !== 0 && i !== o.x.length - 1) return;
    root.append(svg("text", { x: px(x), y: H - m.b + 18, class: "tick", "text-anchor": "middle" }, String(x)));
  });
  root.append(svg("text", { x: (m.l + W - m.r) / 2, y: H - 2, class: "axis-label", "text-anchor": "middle" }, "round"));
  root.append(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis" }));
  for (const mk of o.marks ?? []) {
    const x = px(mk.x);
    root.append(svg("line", { x1: x, x2: x, y1: m.t, y2: H - m.b, class: "mark" }));
    root.append(svg("text", { x: x + 4, y: m.t + 10, class: "mark-label" }, mk.label));
  }
  // series
  const ends: { s: Series; colour: string; dash: string; v: number }[] = [];
  o.series.forEach((s, i) => {
    const colour = s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length];
    const dash = s.dash ?? DASHES[i % DASHES.length];
    let d = "";
    let pen = false;
    let last: { x: number; y: number; v: number } | null = null;
    s.values.forEach((v, j) => {
      if (v === null || !Number.isFinite(v) || j >= o.x.length) { pen = false; return; }
      const x = px(o.x[j]);
      const y = py(v);
      d += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
      pen = true;
      last = { x, y, v };
    });
    if (!d) return;
    const path = svg("path", { d, class: "series", stroke: colour, fill: "none" });
    if (dash) path.setAttribute("stroke-dasharray", dash);
    root.append(path);
    // a marker at every point, so single-round games still show something
    s.values.forEach((v, j) => {
      if (v === null || !Number.isFinite(v) || j >= o.x.length) return;
      root.append(svg("circle", { cx: px(o.x[j]), cy: py(v), r: 3, fill: colour }, svg("title", {}, `${s.label}, round ${o.x[j]}: ${fmt(v)}`)));
    });
    const l = last as { x: number; y: number; v: number } | null;
    if (l) ends.push({ s, colour, dash, v: l.v });
  });
  const legend = h("ul", { class: "legend" }, ...ends.map((e) => {
    const sample = svg("svg", { viewBox: "0 0 28 8", width: 28, height: 8, "aria-hidden": "true" },
      svg("line", { x1: 1, x2: 27, y1: 4, y2: 4, stroke: e.colour, "stroke-width": 3, ...(e.dash ? { "stroke-dasharray": e.dash.split(" ").map((x) => Number(x) / 2).join(" ") } : {}) }));
    return h("li", {}, sample, ` ${e.s.label}: `, h("strong", { class: "num" }, fmt(e.v)));
  }));
  return h("div", { class: "chart-wrap" }, root, legend);
}

export interface ScatterPoint { x: number; y: number; label: string }

/** Scatter with a dashed diagonal y = x (both axes on the same 0..max scale). */
export function scatterChart(points: ScatterPoint[], o: { xLabel: string; yLabel: string; label: string; width?: number; height?: number }): SVGSVGElement {
  const W = o.width ?? 420;
  const H = o.height ?? 300;
  const m = { l: 62, r: 16, t: 12, b: 42 };
  const max = Math.max(0.05, ...points.flatMap((p) => [p.x, p.y])) * 1.08;
  const px = (x: number) => m.l + (x / max) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / max) * (H - m.t - m.b);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart scatter-chart", role: "img", "aria-label": o.label, preserveAspectRatio: "xMidYMid meet" });
  root.append(svg("title", {}, o.label));
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: py(v), y2: py(v), class: "grid" }));
    root.append(svg("text", { x: m.l - 6, y: py(v) + 4, class: "tick", "text-anchor": "end" }, pct(v, 0)));
    root.append(svg("text", { x: px(v), y: H - m.b + 16, class: "tick", "text-anchor": "middle" }, pct(v, 0)));
  }
  root.append(svg("line", { x1: px(0), y1: py(0), x2: px(max), y2: py(max), class: "diagonal" }));
  root.append(svg("text", { x: px(max * 0.72), y: py(max * 0.72) - 8, class: "mark-label", "text-anchor": "end" }, "fair: share = quality"));
  root.append(svg("text", { x: (m.l + W - m.r) / 2, y: H - 6, class: "axis-label", "text-anchor": "middle" }, o.xLabel));
  root.append(svg("text", { x: 14, y: (m.t + H - m.b) / 2, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${(m.t + H - m.b) / 2})` }, o.yLabel));
  // Labels: right of the dot, or moved (below, above, left) when they would overlap one already placed.
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const free = (b: { x0: number; x1: number; y0: number; y1: number }) =>
    b.x0 >= 0 && b.x1 <= W && placed.every((q) => b.x1 < q.x0 || b.x0 > q.x1 || b.y1 < q.y0 || b.y0 > q.y1);
  for (const p of [...points].sort((a, b) => b.y - a.y)) {
    const above = p.y > p.x;
    const cx = px(p.x);
    const cy = py(p.y);
    root.append(svg("circle", { cx, cy, r: 6, class: above ? "pt above" : "pt below" },
      svg("title", {}, `${p.label}: ${o.xLabel} ${pct(p.x, 1)}, ${o.yLabel} ${pct(p.y, 1)}`)));
    const text = `${above ? "▲" : "▼"} ${p.label}`;
    const w = text.length * 7.2;
    const options = [[cx + 8, cy - 6], [cx + 8, cy + 16], [cx + 8, cy - 20], [cx - 8 - w, cy - 6], [cx - 8 - w, cy + 16]];
    let [lx, ly] = options[0];
    for (const [x, y] of options) {
      if (free({ x0: x, x1: x + w, y0: y - 11, y1: y + 2 })) { lx = x; ly = y; break; }
    }
    placed.push({ x0: lx, x1: lx + w, y0: ly - 11, y1: ly + 2 });
    root.append(svg("text", { x: lx, y: ly, class: "pt-label" }, text));
  }
  return root;
}

export interface Bar { key: string; label: string; value: number; text: string; colour?: string; note?: string }

/**
 * Horizontal bars as HTML (crisp at any size, readable on a projector). Keyed rows are reused,
 * so calling it on every render only touches what changed.
 */
export function barList(container: HTMLElement, bars: Bar[], max = Math.max(1e-12, ...bars.map((b) => b.value))): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children) as HTMLElement[]) existing.set(child.dataset.key ?? "", child);
  const rows: HTMLElement[] = [];
  for (const b of bars) {
    let row = existing.get(b.key);
    if (!row) {
      row = h("div", { class: "bar-row", "data-key": b.key },
        h("span", { class: "bar-label" }), h("span", { class: "bar-track" }, h("span", { class: "bar-fill" })), h("span", { class: "bar-value num" }));
    }
    existing.delete(b.key);
    const [label, track, value] = Array.from(row.children) as HTMLElement[];
    const fillEl = track.firstElementChild as HTMLElement;
    if (label.textContent !== b.label) label.textContent = b.label;
    const text = b.note ? `${b.text} · ${b.note}` : b.text;
    if (value.textContent !== text) value.textContent = text;
    const w = `scaleX(${Math.max(0, Math.min(1, b.value / max)).toFixed(4)})`;
    if (fillEl.style.transform !== w) fillEl.style.transform = w;
    if (b.colour && fillEl.style.background !== b.colour) fillEl.style.background = b.colour;
    const aria = `${b.label}: ${text}`;
    if (row.getAttribute("aria-label") !== aria) row.setAttribute("aria-label", aria);
    rows.push(row);
  }
  for (const stale of existing.values()) stale.remove();
  rows.forEach((row, i) => { if (container.children[i] !== row) container.insertBefore(row, container.children[i] ?? null); });
}

/** Where the rule set changed between consecutive reports, as chart markers. */
/** A correlation or small ratio with two decimals and a true minus sign. */
function fixed2(v: number): string {
  return `${v < 0 ? "−" : ""}${Math.abs(v).toFixed(2)}`;
}

export function rulesetMarks(reports: PublicReport[]): { x: number; label: string }[] {
  const out: { x: number; label: string }[] = [];
  for (let i = 1; i < reports.length; i++) {
    if (reports[i].ruleset !== reports[i - 1].ruleset) out.push({ x: reports[i].round, label: `→ ${RULESET_LABEL[reports[i].ruleset] ?? reports[i].ruleset}` });
  }
  return out;
}

function figure(title: string, chart: Element, caption: string): HTMLElement {
  return h("figure", { class: "chart-figure" }, h("h3", {}, title), chart, h("figcaption", {}, caption));
}

/** Control over emission allocation per round: HHI and Nakamoto, two small charts in one figure. */
export function controlFigure(reports: PublicReport[]): HTMLElement {
  const x = reports.map((r) => r.round);
  const marks = rulesetMarks(reports);
  const first = reports[0]?.metrics;
  const last = reports.at(-1)?.metrics;
  const caption = last && first
    ? `By the last round ${last.nakamoto} ${last.nakamoto === 1 ? "entity controlled" : "entities together controlled"} more than half of where emission went (round ${reports[0].round}: ${first.nakamoto}), with an HHI of ${last.hhi.toFixed(3)} (1 = one controller, lower = more spread).`
    : "No round has resolved yet.";
  const nakMax = Math.ceil((Math.max(2, ...reports.map((r) => r.metrics.nakamoto)) + 1) / 4) * 4;
  const charts = h("div", { class: "chart-pair" },
    lineChart({ x, series: [{ label: "Nakamoto coefficient (entities for > 50%)", values: reports.map((r) => r.metrics.nakamoto), colour: PALETTE.sky }], yMin: 0, yMax: nakMax, yFormat: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)), label: "Nakamoto coefficient per round", marks, height: 160 }),
    lineChart({ x, series: [{ label: "HHI of control", values: reports.map((r) => r.metrics.hhi), colour: PALETTE.orange, dash: "8 5" }], yMin: 0, yFormat: (v) => num(v, 2), label: "HHI of control per round", marks, height: 160 }),
  );
  return figure("Who decides where emission goes", charts, caption);
}

/** Speculative premium and builders' research share per round (both fractions). */
export function speculationFigure(reports: PublicReport[]): HTMLElement {
  const x = reports.map((r) => r.round);
  const last = reports.at(-1)?.metrics;
  const peak = reports.reduce((best, r) => (r.metrics.speculativePremium > (best?.metrics.speculativePremium ?? -1) ? r : best), reports[0] as PublicReport | undefined);
  const caption = last && peak
    ? `At its peak (round ${peak.round}) ${pct(peak.metrics.speculativePremium, 0)} of total market value sat above what true quality justified, ending at ${pct(last.speculativePremium, 0)}, while builders put ${pct(last.researchShare, 0)} of their effort into research.`
    : "No round has resolved yet.";
  return figure("Hype versus research",
    lineChart({
      x, yMin: 0, yMax: 1, yFormat: (v) => pct(v, 0), marks: rulesetMarks(reports), label: "Speculative premium and research share per round",
      series: [
        { label: "Speculative premium", values: reports.map((r) => r.metrics.speculativePremium), colour: PALETTE.vermillion },
        { label: "Research share", values: reports.map((r) => r.metrics.researchShare), colour: PALETTE.green, dash: "8 5" },
      ],
    }), caption);
}

/** Emission–quality correlation per round (−1..1). */
export function correlationFigure(reports: PublicReport[]): HTMLElement {
  const x = reports.map((r) => r.round);
  const last = reports.at(-1)?.metrics;
  const mean = reports.length ? reports.reduce((t, r) => t + r.metrics.qualityCorrelation, 0) / reports.length : 0;
  const caption = last
    ? `Across the game, emission share and true quality correlated at ${fixed2(mean)} on average (1 = emission follows merit exactly, 0 = no relation), ending at ${fixed2(last.qualityCorrelation)}.`
    : "No round has resolved yet.";
  return figure("Does emission follow quality, round by round?",
    lineChart({
      x, yMin: -1, yMax: 1, yFormat: fixed2, marks: rulesetMarks(reports), label: "Correlation of emission share with true quality per round",
      series: [
        { label: "Pearson", values: reports.map((r) => r.metrics.qualityCorrelation), colour: PALETTE.sky },
        { label: "Rank", values: reports.map((r) => r.metrics.qualityRankCorrelation ?? null), colour: PALETTE.purple, dash: "2 4" },
      ],
    }), caption);
}

/** Last round's emission share against true quality (as a share of total quality), one dot per subnet. */
export function qualityScatterFigure(reports: PublicReport[]): HTMLElement {
  const last = reports.at(-1);
  if (!last) return figure("Emission share vs true quality", h("p", { class: "muted" }, "No round has resolved yet."), "");
  const subs = last.subnets.filter((s) => typeof s.trueQuality === "number");
  const totalQ = subs.reduce((t, s) => t + Math.max(0, s.trueQuality ?? 0), 0) || 1;
  const points = subs.map((s) => ({ x: Math.max(0, s.trueQuality ?? 0) / totalQ, y: Number(s.share), label: `SN${s.netuid}` }));
  const over = points.filter((p) => p.y > p.x * 1.25 && p.y - p.x > 0.01).map((p) => p.label);
  const chart = points.length
    ? scatterChart(points, { xLabel: "share of true quality", yLabel: "emission share", label: `Emission share against true quality in round ${last.round}` })
    : h("p", { class: "muted" }, "True quality is revealed when the game ends.");
  const caption = points.length
    ? `In round ${last.round} emission share and true quality correlated at r = ${fixed2(last.metrics.qualityCorrelation)}; ${over.length ? `${over.join(", ")} got clearly more than ${over.length === 1 ? "its" : "their"} quality earned (▲ above the line).` : "no subnet got far more than its quality earned."}`
    : "";
  return figure("Emission share vs true quality", chart, caption);
}

/** The four debrief charts for a list of (revealed) reports. */
export function debriefCharts(reports: PublicReport[]): HTMLElement {
  return h("div", { class: "charts" },
    qualityScatterFigure(reports), correlationFigure(reports), controlFigure(reports), speculationFigure(reports));
}

const ANON_KEY = "dtao-arena.anonymous";

/** Whether names are hidden in the debrief (shared with the projector tab through localStorage). */
export function namesHidden(): boolean {
  try { return localStorage.getItem(ANON_KEY) === "1"; } catch { return false; }
}

export function setNamesHidden(hidden: boolean): void {
  try { localStorage.setItem(ANON_KEY, hidden ? "1" : "0"); } catch { /* private mode: local only */ }
}

export function onNamesHiddenChange(fn: () => void): void {
  window.addEventListener("storage", (e) => { if (e.key === ANON_KEY) fn(); });
}

/** Display name: "Player N" (N = final rank) when anonymised. */
export function displayName(d: Debrief, id: string, name: string, anonymous: boolean): string {
  if (!anonymous) return name;
  const row = d.leaderboard.find((r) => r.id === id);
  return row ? `Player ${row.rank}` : "A player";
}

export function awardsList(d: Debrief, anonymous: boolean): HTMLElement {
  if (d.awards.length === 0) return h("p", { class: "muted" }, "No awards this time.");
  return h("ul", { class: "awards" }, ...d.awards.map((a) =>
    h("li", { class: `award role-${a.role}` },
      h("span", { class: "award-title" }, `★ ${a.title}`), " ",
      h("strong", {}, displayName(d, a.id, a.name, anonymous)), " ",
      h("span", { class: "muted" }, `(${a.role}) ${a.detail}`))));
}

/** The final leaderboard; `compact` (the projector) leaves out the role and spot columns. */
export function leaderboardTable(d: Debrief, anonymous: boolean, meId: string | null, limit = Infinity, compact = false): HTMLElement {
  const rows = [...d.leaderboard].sort((a, b) => a.rank - b.rank).slice(0, limit);
  return h("table", { class: "leaderboard-table" },
    h("caption", { class: "sr" }, "Final leaderboard, ranked by liquidation value"),
    h("thead", {}, h("tr", {}, h("th", { class: "num" }, "#"), h("th", {}, "Player"), compact ? null : h("th", {}, "Role"),
      h("th", { class: "num" }, "If sold now"), compact ? null : h("th", { class: "num" }, "Spot"), h("th", { class: "num" }, "Profit"))),
    h("tbody", {}, ...rows.map((r) => {
      const profit = Number(r.profit);
      return h("tr", { class: r.id === meId ? "me" : "" },
        h("td", { class: "num" }, String(r.rank)),
        h("td", {}, displayName(d, r.id, r.name, anonymous), r.id === meId ? " (you)" : ""),
        compact ? null : h("td", {}, r.role),
        h("td", { class: "num" }, tao(r.liquidation)),
        compact ? null : h("td", { class: "num" }, tao(r.spot)),
        h("td", { class: Math.abs(profit) < 5e-10 ? "num" : `num ${profit > 0 ? "gain" : "loss"}` },
          Math.abs(profit) < 5e-10 ? "0 τ" : `${profit > 0 ? "▲ +" : "▼ −"}${tao(Math.abs(profit))}`));
    })));
}

export function exportLinks(code: string, hostToken: string): HTMLElement {
  const q = `hostToken=${encodeURIComponent(hostToken)}`;
  const base = `/api/sessions/${encodeURIComponent(code)}`;
  return h("p", { class: "exports" }, "Export: ",
    h("a", { href: `${base}/export.csv?${q}`, download: `dtao-arena-${code}.csv`, id: "export-csv" }, "CSV"), " · ",
    h("a", { href: `${base}/export.json?${q}`, download: `dtao-arena-${code}.json`, id: "export-json" }, "JSON"));
}

export function createDebriefPanel(conn: ArenaConnection): Panel {
  // Play again with the same class, under a rule set the host picks (host only).
  const rematchRule = h("select", { id: "rematch-ruleset", "aria-label": "Rule set for the next game" },
    h("option", { value: "root-weights" }, "Root weights (pre-dTAO)"),
    h("option", { value: "dtao-price" }, "dTAO · price EMA"),
    h("option", { value: "dtao-flow" }, "dTAO · TAO flow"));
  const rematchBtn = h("button", { type: "button", class: "primary", id: "rematch" }, "Play again with this class");
  const rematchMsg = h("p", { class: "msg", id: "rematch-result" });
  const rematchBox = h("div", { class: "rematch", hidden: true },
    h("h3", {}, "Play again"),
    h("p", { class: "muted" }, "Same players and settings, a fresh market: compare the rule sets on the same class."),
    rematchRule, " ", rematchBtn, rematchMsg);
  rematchBtn.addEventListener("click", () => {
    rematchBtn.disabled = true;
    void conn.send("host:rematch", { ruleset: rematchRule.value }).then((r) => {
      rematchBtn.disabled = false;
      showResult(rematchMsg, r, "Moving everyone to the new game…");
    });
  });
  const anon = h("input", { type: "checkbox", id: "debrief-anon", checked: namesHidden() });
  const charts = h("div", { class: "debrief-charts" });
  const awards = h("div", { class: "debrief-awards" });
  const board = h("div", { class: "debrief-board table-scroll" });
  const exports = h("div", { class: "debrief-exports" });
  const status = h("p", { class: "muted", id: "debrief-status" }, "The debrief appears when the game ends.");
  const el = h("section", { class: "card debrief", id: "debrief", "aria-label": "Debrief" },
    h("h2", {}, "Debrief"), status, charts,
    h("h3", {}, "Awards"), awards,
    h("div", { class: "board-head" }, h("h3", {}, "Final leaderboard"),
      h("label", { for: "debrief-anon", class: "toggle" }, anon, " Hide names (Player N)")),
    board, exports, rematchBox);

  let last: ClientSnapshot | null = null;
  let chartsFor: Debrief | null = null;
  let listsKey = "";
  const paintLists = (force = false) => {
    const s = last;
    const d = s?.debrief;
    if (!s || !d) return;
    const key = `${anon.checked}|${s.seat?.playerId ?? ""}|${s.hostToken ?? ""}|${s.state?.code ?? ""}`;
    if (!force && key === listsKey) return;
    listsKey = key;
    fill(awards, awardsList(d, anon.checked));
    fill(board, leaderboardTable(d, anon.checked, s.seat?.playerId ?? null));
    fill(exports, s.hostToken && s.state?.code ? exportLinks(s.state.code, s.hostToken) : null);
  };
  anon.addEventListener("change", () => { setNamesHidden(anon.checked); paintLists(true); });
  onNamesHiddenChange(() => { anon.checked = namesHidden(); paintLists(true); });

  return {
    el,
    render(s) {
      last = s;
      const d = s.debrief;
      rematchBox.hidden = !(d && s.seat?.role === "host");
      el.classList.toggle("empty", !d);
      status.hidden = !!d;
      if (!d) return;
      if (d !== chartsFor) {
        chartsFor = d;
        fill(charts, debriefCharts(d.reports));
        paintLists(true);
      } else paintLists();
    },
  };
}
