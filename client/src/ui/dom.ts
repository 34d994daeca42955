/** Minimal DOM helpers: build elements declaratively, no framework. */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, "").toLowerCase(), v as EventListener);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** A panel: a DOM element that re-renders from the client snapshot. */
export interface Panel {
  readonly el: HTMLElement;
  render(snapshot: import("../types").ClientSnapshot): void;
}

/** Show the server's message next to the control that sent the intent. */
export function showResult(target: HTMLElement, r: { ok: boolean; message?: string; code?: string }, okText = "Done"): void {
  target.textContent = r.ok ? okText : r.message ?? r.code ?? "refused";
  target.className = r.ok ? "msg ok" : "msg err";
  target.setAttribute("role", r.ok ? "status" : "alert");
}

/** Glossary terms: `term("alpha")` renders the word with its definition on hover/tap. */
export const GLOSSARY: Record<string, string> = {
  alpha: "A subnet's own token (αN for subnet N). You get it by staking TAO into the subnet's pool.",
  root: "Subnet 0: staking TAO there has no pool and no slippage; it earns a share of every subnet's emission.",
  "emission share": "The fraction of each block's new TAO a subnet receives. Under dTAO it follows the market (price or TAO flow).",
  slippage: "How much worse than the spot price your trade fills, because your own trade moves the pool's price.",
  take: "The cut a validator keeps from its nominators' dividends before sharing the rest (at most 18%).",
  tempo: "One round of the game: 360 blocks of the chain, about 72 minutes.",
  "root proportion": "The share of a subnet's validator emission that goes to root stakers: tao_weight·root / (tao_weight·root + alpha issued).",
  "price EMA": "A slow moving average of a subnet's price (capped at 1); under dTAO-price it sets the emission share.",
  "TAO flow": "TAO staked into a subnet minus TAO taken out; under Taoflow its moving average sets the emission share.",
};

export function term(word: string, label = word): HTMLElement {
  return h("abbr", { class: "term", title: GLOSSARY[word] ?? word, tabindex: 0 }, label);
}

/** Change a control's disabled state only if it differs: a redundant write still invalidates style and repaints. */
export function setDisabled(el: HTMLButtonElement | HTMLInputElement | HTMLSelectElement, disabled: boolean): void {
  if (el.disabled !== disabled) el.disabled = disabled;
}

/** Set an attribute only if it differs (same reason as setDisabled). */
export function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
