/**
 * Validator panel: your private signals (a noisy estimate of each subnet's quality and of each
 * miner's skill), weights set from them per subnet or all at once (miner weights per subnet, and
 * root weights over subnets on netuid 0), the commit status of what you sent this round (hidden
 * until the round resolves), your take, the root stake delegated through you, and last round's income.
 */
import { amt, dec, MAX_VALIDATOR_TAKE } from "../../../shared/index";
import type { ArenaConnection } from "../net";
import type { ClientSnapshot, Result, Signals, SyncedState } from "../types";
import { alpha, num, pct, tao } from "../format";
import { h, showResult, term, type Panel } from "./dom";
import { me, setText, subnetsSorted } from "./ticket";

type Weights = Record<string, number>;

/** Miner weights from the signal: the estimated skill of each existing miner uid, negatives as 0. */
export function minerWeights(signals: Signals, netuid: string, minerCount: number): Weights | null {
  const xs = signals.miners[netuid];
  if (!xs) return null;
  const w: Weights = {};
  xs.forEach((x, uid) => { if (uid < minerCount && Number.isFinite(x) && x > 0) w[String(uid)] = x; });
  return Object.keys(w).length ? w : null;
}

/** Root weights over the current subnets (keyed by netuid) from the subnet quality signals. */
export function rootWeights(signals: Signals, st: SyncedState): Weights | null {
  const w: Weights = {};
  for (const s of subnetsSorted(st)) {
    const x = signals.subnets[s.netuid];
    if (Number.isFinite(x) && x > 0) w[s.netuid] = x;
  }
  return Object.keys(w).length ? w : null;
}

interface Commit { round: number; ok: boolean }

interface Row {
  tr: HTMLLIElement;
  name: HTMLElement;
  quality: HTMLElement;
  qualityBar: HTMLElement;
  miners: HTMLElement;
  status: HTMLElement;
  button: HTMLButtonElement;
  msg: HTMLElement;
  minersKey: string;
}

export function createValidatorPanel(conn: ArenaConnection): Panel {
  let snap: ClientSnapshot | null = null;
  /** What you sent, per netuid ("0" = root), and in which round: weights stay hidden until it resolves. */
  const commits = new Map<string, Commit>();
  const busy = new Set<string>();

  // --- summary ------------------------------------------------------------------------------
  const takeNow = h("dd", { class: "num", id: "val-take" });
  const stakeThrough = h("dd", { class: "num", id: "val-stake" });
  const ownRoot = h("dd", { class: "num", id: "val-own-root" });
  const incomeDd = h("dd", { class: "num", id: "val-income" });
  const summary = h("dl", { class: "summary" },
    h("dt", {}, "Your ", term("take")), takeNow,
    h("dt", {}, "Root stake through you (own + nominators)"), stakeThrough,
    h("dt", {}, "Your own root stake"), ownRoot,
    h("dt", {}, "Last round's income"), incomeDd);

  const takeInput = h("input", { id: "take-input", name: "take", inputmode: "decimal", autocomplete: "off", placeholder: "18", "aria-describedby": "take-error" });
  const takeError = h("p", { class: "field-error", id: "take-error", "aria-live": "polite" });
  const takeBtn = h("button", { type: "submit", id: "take-submit" }, "Set take");
  const takeMsg = h("p", { class: "msg", id: "take-result" });
  const takeForm = h("form", { class: "take-form", id: "take-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "take-input" }, "New take (%, 0 to 18)"),
      h("div", { class: "input-row" }, takeInput, takeBtn), takeError),
    takeMsg);

  // --- signals ------------------------------------------------------------------------------
  const signalsHead = h("p", { class: "hint", id: "signals-round" });
  const body = h("ul", { class: "signals", id: "signals-body", "aria-label": "Your signals and weights per subnet" });
  const rootStatus = h("span", { class: "status", id: "root-weights-status" });
  const rootBtn = h("button", { type: "button", id: "set-root-weights" }, "Set root weights from my signals");
  const rootMsg = h("span", { class: "msg", id: "root-weights-result" });
  const allBtn = h("button", { type: "button", class: "primary", id: "set-all-weights" }, "Set all weights from my signals");
  const allMsg = h("p", { class: "msg", id: "all-weights-result" });
  const rootHint = h("p", { class: "hint", id: "root-weights-hint" });
  const stakeNudge = h("p", { class: "nudge", id: "validator-nudge", hidden: true });

  const el = h("section", { class: "card validator-panel", id: "validator", "aria-label": "Validator panel" },
    h("h2", {}, "Validator"),
    summary, stakeNudge, takeForm,
    h("h3", {}, "Your signals"), signalsHead,
    body,
    h("div", { class: "root-weights" }, h("h4", {}, term("root", "Root"), " weights (subnet 0)"), rootHint,
      h("div", { class: "actions" }, rootBtn, rootStatus), rootMsg),
    h("div", { class: "actions" }, allBtn), allMsg,
    h("p", { class: "hint" }, "Weights are committed now and revealed when the round resolves; they stay in force until you replace them. You earn dividends by agreeing with the stake-weighted consensus on good miners."));

  const rows = new Map<string, Row>();

  function statusText(netuid: string, st: SyncedState): { text: string; cls: string } {
    const c = commits.get(netuid);
    if (!c) return { text: "○ not set by you yet", cls: "status none" };
    if (!c.ok) return { text: "⚠ last attempt refused", cls: "status err" };
    if (c.round === st.round && st.phase === "acting") return { text: `◔ committed in round ${c.round}: hidden until it resolves`, cls: "status pending" };
    return { text: `✓ in force since round ${c.round}`, cls: "status ok" };
  }

  async function sendWeights(netuid: string, weights: Weights | null, msg: HTMLElement): Promise<Result> {
    const st = snap?.state;
    if (!st) return { type: "setWeights", ok: false, message: "not connected" };
    if (!weights) {
      const r: Result = { type: "setWeights", ok: false, message: "Your signals give no positive estimate here, so there is nothing to weigh." };
      showResult(msg, r);
      return r;
    }
    busy.add(netuid);
    paint();
    const round = st.round;
    const r = await conn.send("setWeights", { subnet: Number(netuid), weights });
    busy.delete(netuid);
    commits.set(netuid, { round, ok: r.ok });
    showResult(msg, r, netuid === "0" ? "Root weights committed" : `Weights for SN${netuid} committed`);
    paint();
    return r;
  }

  function newRow(netuid: string): Row {
    const name = h("span", {});
    const quality = h("span", { class: "num" });
    const qualityBar = h("span", { class: "bar-fill" });
    const miners = h("span", { class: "miner-bars", role: "img" });
    const status = h("span", { class: "status" });
    const button = h("button", { type: "button", class: "small", id: `set-weights-${netuid}` }, "Set weights");
    const msg = h("span", { class: "msg" });
    const tr = h("li", { class: "signal-row", "data-netuid": netuid },
      h("div", { class: "sig-head" }, name, h("span", { class: "sig-quality" }, "quality ", quality)),
      h("span", { class: "bar-track mini", "aria-hidden": "true" }, qualityBar),
      h("div", { class: "sig-body" }, h("span", { class: "sig-label" }, "miners"), miners, button),
      h("div", { class: "sig-foot" }, status, msg));
    button.addEventListener("click", () => {
      const s = snap;
      const st = s?.state;
      const sig = s?.signals;
      const sub = st?.subnets[netuid];
      if (!st || !sig || !sub) return;
      void sendWeights(netuid, minerWeights(sig, netuid, sub.minerCount), msg);
    });
    return { tr, name, quality, qualityBar, miners, status, button, msg, minersKey: "" };
  }

  function paintMiners(row: Row, xs: number[] | undefined, minerCount: number) {
    const key = JSON.stringify([xs, minerCount]);
    if (key === row.minersKey) return;
    row.minersKey = key;
    const vals = (xs ?? []).slice(0, minerCount);
    const max = Math.max(1e-12, ...vals);
    const best = vals.map((x, uid) => ({ x, uid })).sort((a, b) => b.x - a.x).slice(0, 3);
    row.miners.setAttribute("aria-label", vals.length ? `Best miners by your estimate: ${best.map((b) => `uid ${b.uid} (${num(b.x, 3)})`).join(", ")}` : "no miner estimates");
    row.miners.title = vals.map((x, uid) => `uid ${uid}: ${num(x, 3)}`).join("\n");
    row.miners.replaceChildren(...vals.map((x) => {
      const bar = h("span", { class: "miner-bar" });
      bar.style.height = `${Math.max(4, (x / max) * 100).toFixed(0)}%`;
      return bar;
    }));
  }

  function paint() {
    const s = snap;
    const st = s?.state;
    if (!s || !st) return;
    const p = me(s);
    const id = s.seat?.playerId ?? "";
    const v = st.validators[id];
    const open = st.phase === "acting" && !st.paused;
    const isValidator = !!p && p.role === "validator" && !!v;

    // summary
    setText(takeNow, v ? pct(Number(v.take), 1) : p?.take ? pct(Number(p.take), 1) : "–");
    setText(stakeThrough, v ? tao(v.rootStake) : "–");
    setText(ownRoot, p ? tao(p.rootStake) : "–");
    if (s.income) {
      const inc = s.income;
      let value = Number(inc.rootTao);
      const parts = Object.entries(inc.alpha).filter(([, a]) => Number(a) > 0).map(([n, a]) => {
        const sub = st.subnets[n];
        if (sub) value += Number(a) * (Number(sub.taoReserve) / Number(sub.alphaReserve));
        return alpha(a, n);
      });
      setText(incomeDd, `${tao(value)} now (${[...parts, `${tao(inc.rootTao)} root`].join(", ")})`);
    } else setText(incomeDd, "none yet");
    takeBtn.disabled = !isValidator;
    const noStake = isValidator && dec(v.rootStake).isZero();
    stakeNudge.hidden = !noStake;
    setText(stakeNudge, noStake ? "No stake goes through you yet, so your weights carry no weight. Stake TAO on root with the order ticket (validator: yourself), or set a low take to attract nominators." : "");

    // signals
    const sig = s.signals;
    setText(signalsHead, !isValidator ? "Only validators get signals."
      : !sig ? "Your signals arrive when the round opens."
      : `Private estimates for round ${sig.round}. Bigger root stake through you means less noise.${sig.round !== st.round && st.phase === "acting" ? " (From an earlier round: new ones arrive shortly.)" : ""}`);
    const subs = subnetsSorted(st);
    const qualities = subs.map((x) => sig?.subnets[x.netuid] ?? 0);
    const qMax = Math.max(1e-12, ...qualities);
    const seen = new Set<string>();
    subs.forEach((sub, i) => {
      seen.add(sub.netuid);
      let row = rows.get(sub.netuid);
      if (!row) { row = newRow(sub.netuid); rows.set(sub.netuid, row); }
      if (body.children[i] !== row.tr) body.insertBefore(row.tr, body.children[i] ?? null);
      setText(row.name, `SN${sub.netuid} ${sub.name}`);
      const q = sig?.subnets[sub.netuid];
      setText(row.quality, q === undefined ? "–" : num(q, 3));
      const w = `scaleX(${Math.max(0, Math.min(1, (q ?? 0) / qMax)).toFixed(3)})`;
      if (row.qualityBar.style.transform !== w) row.qualityBar.style.transform = w;
      paintMiners(row, sig?.miners[sub.netuid], sub.minerCount);
      const stt = statusText(sub.netuid, st);
      setText(row.status, stt.text);
      row.status.className = stt.cls;
      const hasSignal = !!sig?.miners[sub.netuid];
      row.button.disabled = !isValidator || !open || !hasSignal || busy.has(sub.netuid);
      row.button.title = !open ? "Weights open when the round starts" : !hasSignal ? "No signal for this subnet yet: it arrives with the next round" : "";
    });
    for (const [n, row] of rows) if (!seen.has(n)) { row.tr.remove(); rows.delete(n); }

    const rs = statusText("0", st);
    setText(rootStatus, rs.text);
    rootStatus.className = rs.cls;
    rootBtn.disabled = !isValidator || !open || !sig || busy.has("0");
    allBtn.disabled = !isValidator || !open || !sig || busy.size > 0;
    setText(rootHint, st.rules.emissionRule === "rootWeights"
      ? "Under root weights, seated root validators' weights over subnets decide every subnet's emission share. Yours are your quality estimates."
      : "Under dTAO the market sets emission shares; root weights only count if the host switches to the root-weights rule set.");
  }

  rootBtn.addEventListener("click", () => {
    const st = snap?.state;
    const sig = snap?.signals;
    if (!st || !sig) return;
    void sendWeights("0", rootWeights(sig, st), rootMsg);
  });

  allBtn.addEventListener("click", async () => {
    const st = snap?.state;
    const sig = snap?.signals;
    if (!st || !sig) return;
    const jobs: [string, ReturnType<typeof minerWeights>, HTMLElement][] = subnetsSorted(st)
      .map((sub) => [sub.netuid, minerWeights(sig, sub.netuid, sub.minerCount), rows.get(sub.netuid)?.msg ?? allMsg] as [string, Weights | null, HTMLElement])
      .filter(([, w]) => w !== null);
    const root = rootWeights(sig, st);
    if (root) jobs.push(["0", root, rootMsg]);
    if (jobs.length === 0) { showResult(allMsg, { ok: false, message: "Your signals give nothing to weigh yet." }); return; }
    allMsg.textContent = "Sending…";
    allMsg.className = "msg";
    // One at a time: the server rate-limits bursts, and the answers arrive in order.
    let ok = 0;
    let firstError: Result | null = null;
    for (const [n, w, msg] of jobs) {
      const r = await sendWeights(n, w, msg);
      if (r.ok) ok++; else firstError ??= r;
    }
    showResult(allMsg, firstError && ok === 0 ? firstError : { ok: !firstError, message: firstError ? `${ok} of ${jobs.length} committed; ${firstError.message ?? "some were refused"}` : undefined },
      `All ${jobs.length} weight sets committed (${jobs.length - (root ? 1 : 0)} subnets + root)`);
  });

  takeForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const raw = takeInput.value.trim().replace(",", ".").replace(/%$/, "").trim();
    const max = Number(MAX_VALIDATOR_TAKE) * 100;
    let problem: string | null = null;
    if (raw === "") problem = "Enter a take in percent, from 0 to 18.";
    else if (!/^\d+(\.\d+)?$/.test(raw)) problem = `"${raw}" is not a number. Enter a percent such as 9 or 12.5.`;
    else if (Number(raw) > max) problem = `The take is at most ${max}%.`;
    else if ((raw.split(".")[1] ?? "").length > 7) problem = "Too many decimals: use at most 7 after the point.";
    setText(takeError, problem ?? "");
    takeInput.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem) { takeInput.focus(); return; }
    const fraction = dec(raw).div(100);
    const take = fraction.isZero() ? "0" : amt(fraction);
    takeBtn.disabled = true;
    void conn.send("setTake", { take }).then((r) => {
      showResult(takeMsg, r, `Take set to ${pct(Number(take), 2)}`);
      if (r.ok) takeInput.value = "";
      paint();
    });
  });
  takeInput.addEventListener("input", () => { setText(takeError, ""); takeInput.setAttribute("aria-invalid", "false"); });

  return {
    el,
    render(s) {
      snap = s;
      paint();
    },
  };
}
