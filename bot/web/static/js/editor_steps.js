// The step cards: drawn in order, reordered by drag and drop or Alt+Arrow / Move buttons.
import { el } from "./editor_fields.js";

/** The words a card shows for a step before the preview has described it. */
function fallbackWords(step) {
  return step.wait ? `wait ${step.wait}` : String(step.action ?? "step");
}

function card(step, index, count, view, handlers) {
  const label = `step ${index + 1} (${step.id || "no id"})`;
  const errors = view.errorsOf(step);
  const errorId = `step-${index}-errors`;
  const main = el(
    "button",
    {
      type: "button",
      class: "step-main",
      "data-role": "select",
      "aria-pressed": String(view.selected === step),
      "aria-describedby": errors.length ? errorId : null,
      onclick: () => handlers.select(step),
    },
    el("span", { class: "num", "aria-hidden": "true", text: String(index + 1) }),
    el(
      "span",
      { class: "what" },
      el("span", { class: "words", text: view.wordsOf(step) ?? fallbackWords(step) }),
      el("code", { class: "sid", text: step.id || "(no id)" }),
    ),
  );
  const tools = el(
    "div",
    { class: "step-tools" },
    el("button", {
      type: "button", class: "btn small", "data-role": "up", text: "↑",
      "aria-label": `Move ${label} up`, title: "Move up (Alt+↑)", disabled: index === 0,
      onclick: () => handlers.move(index, index - 1, "up"),
    }),
    el("button", {
      type: "button", class: "btn small", "data-role": "down", text: "↓",
      "aria-label": `Move ${label} down`, title: "Move down (Alt+↓)", disabled: index === count - 1,
      onclick: () => handlers.move(index, index + 1, "down"),
    }),
    el("button", {
      type: "button", class: "btn small danger", "data-role": "remove", text: "✕",
      "aria-label": `Remove ${label}`, title: "Remove step",
      onclick: () => handlers.remove(index),
    }),
  );
  const problems = errors.length
    ? el("ul", { class: "step-errors", id: errorId }, errors.map((e) => el("li", { text: e })))
    : null;
  const classes = ["step-card", view.selected === step ? "selected" : "", errors.length ? "invalid" : ""];
  return el(
    "li",
    { class: classes.filter(Boolean).join(" "), draggable: "true", "data-index": String(index) },
    el("span", { class: "handle", "aria-hidden": "true", title: "Drag to reorder", text: "⠿" }),
    main,
    tools,
    problems,
  );
}

/**
 * Draw `steps` into the list. `view` has `selected`, `wordsOf(step)`, `errorsOf(step)`;
 * `handlers` has `select(step)`, `move(from, to, how)`, `remove(index)`. `focus` = {step, role}
 * puts keyboard focus back on the same control of the same step after drawing.
 */
export function drawSteps(list, steps, view, handlers, focus = null) {
  list.replaceChildren(...steps.map((step, i) => card(step, i, steps.length, view, handlers)));
  if (focus) {
    const index = steps.indexOf(focus.step);
    const item = list.children[index];
    const target = item?.querySelector(`[data-role="${focus.role}"]:not([disabled])`) ?? item?.querySelector('[data-role="select"]');
    target?.focus();
  }
}

/** Wire drag and drop and Alt+Arrow once on the list; `move(from, to, how)` does the change. */
export function enableReorder(list, move) {
  let from = null;
  const indexOf = (event) => {
    const item = event.target.closest?.("li.step-card");
    return item && list.contains(item) ? Number(item.dataset.index) : null;
  };
  const clearMarks = () => list.querySelectorAll(".drop-before, .drop-after, .dragging").forEach((n) => n.classList.remove("drop-before", "drop-after", "dragging"));
  list.addEventListener("dragstart", (event) => {
    from = indexOf(event);
    if (from === null) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(from));
    event.target.closest("li").classList.add("dragging");
  });
  list.addEventListener("dragover", (event) => {
    const to = indexOf(event);
    if (from === null || to === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    list.children[from]?.classList.add("dragging");
    if (to !== from) list.children[to].classList.add(to < from ? "drop-before" : "drop-after");
  });
  list.addEventListener("drop", (event) => {
    const to = indexOf(event);
    if (from === null || to === null) return;
    event.preventDefault();
    const start = from;
    from = null;
    clearMarks();
    if (to !== start) move(start, to, "drag");
  });
  list.addEventListener("dragend", () => {
    from = null;
    clearMarks();
  });
  list.addEventListener("keydown", (event) => {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const index = indexOf(event);
    if (index === null) return;
    event.preventDefault();
    const to = event.key === "ArrowUp" ? index - 1 : index + 1;
    if (to >= 0 && to < list.children.length) move(index, to, event.target.dataset.role ?? "select");
  });
}
