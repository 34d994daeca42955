/**
 * Builder console: register a subnet (lock cost from the synced state), split effort between
 * research (slow, compounding true quality) and product (visible traction now), and a dashboard of
 * the subnets you own.
 */
import { dec, projectShares } from "../../../shared/index";
import type { ArenaConnection } from "../net";
import type { ClientSnapshot } from "../types";
import { alpha, num, pct, tao } from "../format";
import { fill, h, showResult, term, type Panel } from "./dom";
import { me, setText, shareInputsOf, subnetsSorted } from "./ticket";

const EFFORT_DEBOUNCE_MS = 400;

export function createBuilderPanel(conn: ArenaConnection): Panel {
  let snap: ClientSnapshot | null = null;

  // --- register -----------------------------------------------------------------------------
  const name = h("input", { id: "register-name", name: "subnet-name", maxlength: 24, autocomplete: "off", placeholder: "e.g. Deep Forecast", "aria-describedby": "register-error register-cost" });
  const costValue = h("strong", { class: "num", id: "register-cost-value" });
  const costFree = h("span", { class: "num" });
  const cost = h("p", { class: "lock-cost", id: "register-cost" }, "Lock cost now: ", costValue, costFree);
  const costHint = h("p", { class: "hint", id: "register-cost-hint" });
  const regError = h("p", { class: "field-error", id: "register-error", "aria-live": "polite" });
  const regBtn = h("button", { type: "submit", class: "primary", id: "register-submit" }, "Register subnet");
  const regResult = h("p", { class: "msg", id: "register-result" });
  const regForm = h("form", { class: "register-form", id: "register-form", novalidate: true },
    h("h3", {}, "Register a subnet"),
    h("div", { class: "field" }, h("label", { for: "register-name" }, "Subnet name"), name, regError), cost, costHint,
    h("div", { class: "actions" }, regBtn), regResult);
  let regBusy = false;
  let regTouched = false;

  // --- effort -------------------------------------------------------------------------------
  const slider = h("input", { type: "range", id: "effort", name: "effort", min: 0, max: 100, step: 5, value: 50, "aria-describedby": "effort-hint" });
  const effortText = h("output", { for: "effort", id: "effort-value", class: "num" });
  const effortResult = h("p", { class: "msg", id: "effort-result" });
  const effortBox = h("div", { class: "effort" },
    h("h3", {}, "Effort"),
    h("label", { for: "effort", class: "effort-scale" }, h("span", {}, "◀ Research"), h("span", {}, "Product ▶")),
    slider, effortText,
    h("p", { class: "hint", id: "effort-hint" }, "Research raises your subnet's true quality after a delay and compounds; product raises visible traction now. Validators and informed traders see quality; the crowd sees traction."),
    effortResult);
  let effortTimer: ReturnType<typeof setTimeout> | null = null;
  let effortInFlight = false;
  let dragging = false;

  // --- dashboard ----------------------------------------------------------------------------
  const dash = h("div", { class: "my-subnets", id: "my-subnets" });
  const note = h("p", { class: "hint", id: "builder-note" });

  const el = h("section", { class: "card builder", id: "builder", "aria-label": "Builder console" },
    h("h2", {}, "Builder console"), note, regForm, effortBox, h("h3", {}, "Your subnets"), dash,
    h("p", { class: "hint" }, "Emission share: last round → if the round resolved now. Owner cut: the alpha your subnet paid you as its owner last round."));

  // The slider runs from research (left, 0) to product (right, 100): its value is the product share.
  const paintEffort = (product: number) => {
    const r = 100 - Math.round(product);
    setText(effortText, `Research ${r}% · Product ${100 - r}%`);
    slider.setAttribute("aria-valuetext", `Research ${r} percent, product ${100 - r} percent`);
  };
  paintEffort(50);

  const sendEffort = () => {
    effortTimer = null;
    const r = 1 - Number(slider.value) / 100;
    effortInFlight = true;
    void conn.send("setEffort", { research: r, product: 1 - r }).then((res) => {
      effortInFlight = false;
      showResult(effortResult, res, `Effort set: ${Math.round(r * 100)}% research`);
    });
  };
  slider.addEventListener("input", () => {
    paintEffort(Number(slider.value));
    if (effortTimer) clearTimeout(effortTimer);
    effortTimer = setTimeout(sendEffort, EFFORT_DEBOUNCE_MS);
  });
  slider.addEventListener("pointerdown", () => { dragging = true; });
  slider.addEventListener("pointerup", () => { dragging = false; });
  slider.addEventListener("blur", () => { dragging = false; });

  function regCheck(): string | null {
    const st = snap?.state;
    const p = snap ? me(snap) : null;
    if (!st || !p) return "Join as a builder to register a subnet.";
    if (p.role !== "builder") return "Only builders register subnets.";
    if (st.phase !== "lobby" && st.phase !== "acting") return st.phase === "ended" ? "The game has ended." : "Registration reopens with the next round.";
    const n = name.value.trim();
    if (!n) return "Give the subnet a name.";
    if (Object.values(st.subnets).some((s) => s.name.toLowerCase() === n.toLowerCase())) return `A subnet is already called "${n}".`;
    if (dec(st.lockCost).gt(p.tao)) return `The lock cost is ${tao(st.lockCost)} and you have ${tao(p.tao)} free.`;
    return null;
  }

  function paintRegister() {
    const st = snap?.state;
    const p = snap ? me(snap) : null;
    if (st) {
      const full = Object.keys(st.subnets).length >= st.rules.subnetLimit;
      setText(costValue, tao(st.lockCost));
      setText(costFree, p ? ` · you have ${tao(p.tao)} free` : "");
      setText(costHint, "Part of the lock seeds your pool at price 1; the rest is recycled. The cost doubles with each registration and decays back over time." +
        (full ? ` All ${st.rules.subnetLimit} slots are taken: registering prunes the non-immune subnet with the lowest price EMA.` : ""));
    }
    const problem = regCheck();
    regBtn.disabled = regBusy || problem !== null;
    setText(regError, problem && (regTouched || !problem.startsWith("Give")) ? problem : "");
    name.setAttribute("aria-invalid", problem && regTouched ? "true" : "false");
  }
  name.addEventListener("input", () => { regTouched = true; setText(regResult, ""); regResult.className = "msg"; paintRegister(); });
  regForm.addEventListener("submit", (e) => {
    e.preventDefault();
    regTouched = true;
    paintRegister();
    if (regBusy || regCheck() !== null) { name.focus(); return; }
    const n = name.value.trim();
    regBusy = true;
    paintRegister();
    void conn.send("registerSubnet", { name: n }).then((r) => {
      regBusy = false;
      showResult(regResult, r, `Registered "${n}"`);
      if (r.ok) { name.value = ""; regTouched = false; }
      paintRegister();
    });
  });

  let dashKey = "";
  function paintDashboard(s: ClientSnapshot) {
    const st = s.state!;
    const id = s.seat?.playerId ?? "";
    const p = me(s);
    const mine = subnetsSorted(st).filter((x) => x.owner === id);
    const latest = s.reports.at(-1);
    const key = JSON.stringify([mine.map((x) => [x.netuid, x.name, x.price, x.emissionShare, x.product, x.immune, x.taoReserve, x.alphaReserve, x.flowThisRound]),
      p?.alpha, latest?.round, st.rules.emissionRule, st.round, subnetsSorted(st).map((x) => [x.priceEma, x.flowEma, x.flowThisRound, x.taoReserve])]);
    if (key === dashKey) return;
    dashKey = key;
    if (mine.length === 0) {
      fill(dash, h("p", { class: "muted" }, "You own no subnet yet. Register one above."));
      return;
    }
    const projected = st.rules.emissionRule === "rootWeights" ? null : projectShares(shareInputsOf(st));
    fill(dash, ...mine.map((x) => {
      const rep = latest?.subnets.find((y) => y.netuid === x.netuid);
      const proj = projected?.[x.netuid];
      return h("article", { class: "subnet-card", "data-netuid": x.netuid },
        h("h4", {}, `SN${x.netuid} · ${x.name}`, x.immune ? h("span", { class: "tag", title: "Cannot be pruned yet" }, "immune") : null),
        h("dl", {},
          h("dt", {}, "Price"), h("dd", { class: "num", title: x.price }, `${num(x.price)} τ/α`),
          h("dt", {}, term("emission share", "Emission share")),
          h("dd", { class: "num" }, pct(Number(x.emissionShare), 2), proj ? ` → ${pct(Number(proj), 2)}` : ""),
          h("dt", {}, "Product traction"), h("dd", { class: "num" }, num(x.product, 3)),
          h("dt", {}, "Your alpha"), h("dd", { class: "num" }, alpha(p?.alpha[x.netuid] ?? "0", x.netuid)),
          h("dt", {}, "Owner cut last round"), h("dd", { class: "num" }, rep ? alpha(rep.ownerAlpha, x.netuid) : "–")));
    }));
  }

  return {
    el,
    render(s) {
      snap = s;
      const st = s.state;
      const p = me(s);
      if (!st) return;
      setText(note, p && p.role !== "builder" ? "You are not a builder in this session." : "");
      paintRegister();
      // Follow the server's effort unless the user is moving the slider or a change is on its way.
      if (p && !dragging && !effortTimer && !effortInFlight && document.activeElement !== slider) {
        const v = String(100 - Math.round(p.research * 20) * 5);
        if (slider.value !== v) { slider.value = v; paintEffort(Number(v)); }
      }
      paintDashboard(s);
    },
  };
}
