/** A small glossary dialog listing the terms of `GLOSSARY` (the same words `term()` explains on hover). */
import type { ArenaConnection } from "../net";
import { GLOSSARY, h, type Panel } from "./dom";

export interface GlossaryPanel extends Panel {
  readonly el: HTMLDialogElement;
  open(): void;
  close(): void;
}

function build(): GlossaryPanel {
  const terms = Object.entries(GLOSSARY).sort(([a], [b]) => a.localeCompare(b));
  const close = h("button", { type: "button", class: "close", id: "glossary-close", "aria-label": "Close glossary" }, "✕");
  const el = h("dialog", { class: "glossary", id: "glossary", "aria-labelledby": "glossary-title" },
    h("div", { class: "glossary-head" }, h("h2", { id: "glossary-title" }, "Glossary"), close),
    h("dl", {}, ...terms.flatMap(([word, text]) => [
      h("dt", { id: `glossary-${word.replace(/\s+/g, "-")}` }, word[0].toUpperCase() + word.slice(1)),
      h("dd", {}, text),
    ])),
    h("p", { class: "hint" }, "Underlined words across the game show these definitions on hover or tap."),
  );
  close.addEventListener("click", () => el.close());
  // A click on the backdrop (outside the dialog's box) closes it too; Esc is native.
  el.addEventListener("click", (e) => {
    if (e.target !== el) return;
    const r = el.getBoundingClientRect();
    const { clientX: x, clientY: y } = e as MouseEvent;
    if (x < r.left || x > r.right || y < r.top || y > r.bottom) el.close();
  });
  return {
    el,
    render() { /* static content */ },
    open() {
      if (!el.isConnected) document.body.append(el);
      if (!el.open) el.showModal();
      close.focus();
    },
    close() { if (el.open) el.close(); },
  };
}

let shared: GlossaryPanel | null = null;

/** The glossary dialog (one per page). The shell may mount `el` itself, or just call `open()`. */
export function createGlossaryPanel(_conn?: ArenaConnection): GlossaryPanel {
  shared ??= build();
  return shared;
}

/** Open the glossary from anywhere (e.g. the top bar's "?" button). */
export function openGlossary(): void {
  createGlossaryPanel().open();
}
