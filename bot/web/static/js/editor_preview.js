// The live preview: the summary in words, the approval class, the JSON, and where errors go.
import { el, markField } from "./editor_fields.js";

const $ = (id) => document.getElementById(id);
const STEP = /^steps\.(\d+)(?:\.(.*))?$/;

/** Sort `errors` (for the steps in `sent`, by position) onto the steps, fields and list. */
export function showErrors(errors, sent, state) {
  state.stepErrors = new WeakMap();
  state.otherErrors = [];
  for (const error of errors) {
    const match = STEP.exec(error.location);
    const step = match ? sent[Number(match[1])] : null;
    if (step) {
      state.stepErrors.set(step, [...(state.stepErrors.get(step) ?? []), { field: match[2] ?? "", message: error.message }]);
    } else {
      state.otherErrors.push(error);
    }
  }
  const settings = document.querySelector("#settings-title").parentElement;
  for (const node of settings.querySelectorAll("[data-field], [data-loc]")) {
    const key = node.dataset.field ?? node.dataset.loc;
    const messages = state.otherErrors.filter((e) => e.location === key).map((e) => e.message);
    if (node.dataset.field) markField(settings, key, messages);
    else markLoc(node, messages);
  }
  const listBox = $("preview-errors");
  const lines = errors.map((e) => {
    const match = STEP.exec(e.location);
    const where = match ? `Step ${Number(match[1]) + 1}${match[2] ? ` · ${match[2]}` : ""}` : e.location;
    return el("li", { text: `${where}: ${e.message}` });
  });
  listBox.replaceChildren(...(lines.length ? [el("h3", { text: "To fix" }), el("ul", { class: "error-list" }, lines)] : []));
}

function markLoc(node, messages) {
  const error = node.querySelector(".error");
  const input = node.querySelector("input, select, textarea");
  error.textContent = messages.join(" ");
  error.hidden = messages.length === 0;
  input?.setAttribute("aria-invalid", messages.length ? "true" : "false");
}

/** Show a preview answer: words, class, JSON and state (errors: see showErrors). */
export function showPreview(result, sent, state) {
  sent.forEach((step, i) => state.words.set(step, result.steps[i]));
  $("preview-summary").replaceChildren(...result.summary.map((line) => el("li", { text: line })));
  const badge = $("preview-class");
  badge.className = `badge${result.approval_class ? ` class-${result.approval_class}` : ""}`;
  badge.textContent = result.approval_class ? `Class ${result.approval_class}` : "No class yet";
  $("preview-why").textContent = [result.class_summary, ...result.reasons.filter((r) => !result.class_summary.includes(r))]
    .filter(Boolean)
    .join(" ");
  $("preview-json").textContent = JSON.stringify(result.json, null, 2);
  const count = result.errors.length;
  $("preview-state").textContent = result.valid
    ? "Valid: ready to save."
    : `${count} problem${count === 1 ? "" : "s"} to fix before saving.`;
}
