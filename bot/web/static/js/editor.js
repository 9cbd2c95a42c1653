// The workflow editor: state, step list, live preview (debounced) and saving a new version.
import { api } from "./app.js";
import { el } from "./editor_fields.js";
import { drawPanel, drawTrigger, markPanel } from "./editor_panel.js";
import { showErrors, showPreview } from "./editor_preview.js";
import { showState } from "./editor_canvas.js";
import { drawSteps, enableReorder } from "./editor_steps.js";

const data = JSON.parse(document.getElementById("editor-data").textContent);
const workflowId = data.workflow.id;
const actions = new Map(data.actions.map((a) => [a.name, a]));
const TRIGGER_NAMES = {
  manual: "Only when someone runs it",
  schedule: "On a schedule (cron)",
  interval: "Every few seconds or minutes",
  webhook: "When a webhook or form is sent",
  email: "When an email arrives",
  slack: "On a Slack message or command",
  stripe: "On a Stripe event",
  poll: "When a feed has new items",
};
const $ = (id) => document.getElementById(id);
const list = $("steps");

const state = {
  spec: structuredClone(data.spec),
  selected: null,
  dirty: false,
  words: new WeakMap(),
  stepErrors: new WeakMap(),
  otherErrors: [],
  local: new Map(),
  seq: 0,
};
state.spec.steps ??= [];
state.spec.trigger ??= { type: "manual" };

function announce(message) {
  $("announce").textContent = message;
}

const view = {
  get selected() {
    return state.selected;
  },
  wordsOf: (step) => state.words.get(step),
  errorsOf: (step) => (state.stepErrors.get(step) ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)),
};

const handlers = {
  select(step) {
    state.selected = step;
    renderSteps({ step, role: "select" });
    renderPanel();
  },
  move(from, to, how) {
    const steps = state.spec.steps;
    const [step] = steps.splice(from, 1);
    steps.splice(to, 0, step);
    announce(`Moved step ${step.id} to position ${to + 1} of ${steps.length}.`);
    changed({ structure: true, focus: how === "drag" ? null : { step, role: how } });
  },
  remove(index) {
    const [step] = state.spec.steps.splice(index, 1);
    if (state.selected === step) state.selected = null;
    announce(`Removed step ${step.id}. ${state.spec.steps.length} steps left.`);
    const next = state.spec.steps[Math.min(index, state.spec.steps.length - 1)];
    changed({ structure: true, focus: next ? { step: next, role: "select" } : null });
    if (!next) $("add-action").focus();
  },
};

function renderSteps(focus = null) {
  drawSteps(list, state.spec.steps, view, handlers, focus);
}

function renderPanel() {
  const index = state.spec.steps.indexOf(state.selected);
  if (index < 0) state.selected = null;
  drawPanel($("panel-body"), $("panel-title"), state.selected, index, actions, { changed, local });
  markPanel($("panel-body"), state.selected ? (state.stepErrors.get(state.selected) ?? []) : []);
}

function renderTrigger() {
  drawTrigger($("trigger-fields"), $("trigger-hint"), state.spec.trigger, data.triggers, { changed, local });
}

function local(key, message) {
  if (message) state.local.set(key, message);
  else state.local.delete(key);
}

let timer = null;
function changed({ structure = false, cards = false, focus = null } = {}) {
  state.dirty = true;
  $("dirty").hidden = false;
  $("preview-state").textContent = "Checking…";
  showState("thinking");
  if (structure) {
    renderSteps(focus);
    renderPanel();
  } else if (cards) {
    refreshCards();
  }
  clearTimeout(timer);
  timer = setTimeout(preview, 300);
}

/** Update the cards' words, ids and problems in place (keeps keyboard focus where it is). */
function refreshCards() {
  const focused = document.activeElement;
  const inList = list.contains(focused);
  const role = focused?.dataset?.role;
  const step = inList ? state.spec.steps[Number(focused.closest("li")?.dataset.index)] : null;
  renderSteps(inList && step ? { step, role } : null);
}

function applyErrors(errors, sent) {
  showErrors(errors, sent, state);
  refreshCards();
  markPanel($("panel-body"), state.selected ? (state.stepErrors.get(state.selected) ?? []) : []);
}

function applyPreview(result, sent) {
  showPreview(result, sent, state);
  applyErrors(result.errors, sent);
}

async function preview() {
  const seq = ++state.seq;
  const sent = [...state.spec.steps];
  try {
    const result = await api(`/workflows/${workflowId}/preview`, { method: "POST", body: state.spec });
    if (seq === state.seq) {
      applyPreview(result, sent);
      previewState(result);
    }
  } catch (error) {
    if (seq === state.seq) {
      $("preview-state").textContent = `Preview failed: ${error.message}`;
      showState("error", `The preview could not be checked: ${error.message}`);
    }
  }
}

function previewState(result) {
  if (trying) return; // the dry run's answer decides the colour
  const count = result.errors.length;
  if (result.valid) showState("idle");
  else showState("error", `${count} problem${count === 1 ? "" : "s"} to fix before it can run.`);
}

/** Dry-run the spec being edited on sample data; the canvas works, then goes green or red. */
let trying = false;
async function tryRun() {
  const button = $("try-run");
  if (button.disabled) return;
  trying = true;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  $("try-result").replaceChildren();
  showState("processing");
  try {
    const result = await api(`/workflows/${workflowId}/try`, { method: "POST", body: state.spec });
    $("try-result").innerHTML = result.html;
    if (result.failed) showState("error", result.verdict);
    else showState("success", result.verdict);
  } catch (error) {
    showState("error", `It could not be tried: ${error.message}`);
  } finally {
    trying = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

function saveResult(kind, ...children) {
  $("save-result").replaceChildren(el("div", { class: `alert ${kind}` }, ...children));
}

async function save() {
  if (state.local.size) {
    saveResult("error", "Fix the fields marked in red first.");
    return;
  }
  clearTimeout(timer);
  const button = $("save");
  button.disabled = true;
  const sent = [...state.spec.steps];
  try {
    const result = await api(`/workflows/${workflowId}/versions`, { method: "POST", body: state.spec });
    state.dirty = false;
    $("dirty").hidden = true;
    saveResult(
      "ok",
      el("strong", { text: `${result.message}.` }),
      " The running version keeps running until this one is approved. ",
      el("a", { href: result.workflow_url, text: "Back to the workflow" }),
      " · ",
      el("a", { href: result.approvals_url, text: "Approvals" }),
    );
  } catch (error) {
    const details = error.data?.error?.details;
    if (error.status === 422 && Array.isArray(details)) applyErrors(details, sent);
    saveResult("error", error.status === 422 ? "Not saved: fix the problems marked in red." : `Not saved: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

function setUp() {
  const name = $("wf-name");
  name.value = state.spec.name ?? "";
  name.addEventListener("input", () => {
    state.spec.name = name.value;
    changed();
  });
  const type = $("trigger-type");
  for (const kind of Object.keys(data.triggers)) type.append(el("option", { value: kind, text: TRIGGER_NAMES[kind] ?? kind }));
  type.value = state.spec.trigger.type;
  type.addEventListener("change", () => {
    const keep = data.triggers[type.value]?.properties ?? {};
    const next = { type: type.value };
    for (const [key, value] of Object.entries(state.spec.trigger)) if (key in keep) next[key] = value;
    state.spec.trigger = next;
    renderTrigger();
    changed();
  });
  const add = $("add-action");
  add.append(el("option", { value: "", text: "Choose an action to add…" }), el("option", { value: "__wait", text: "Wait (pause the run)" }));
  for (const action of data.actions) add.append(el("option", { value: action.name, text: `${action.name} — ${action.description}` }));
  $("add-step").addEventListener("click", addStep);
  $("save").addEventListener("click", save);
  enableReorder(list, handlers.move);
  window.addEventListener("beforeunload", (event) => {
    if (!state.dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
  renderTrigger();
  renderSteps();
  renderPanel();
  applyPreview(data.preview, [...state.spec.steps]);
  if (!data.preview.valid) previewState(data.preview);
  $("try-run").addEventListener("click", tryRun);
}

function addStep() {
  const choice = $("add-action").value;
  if (!choice) {
    announce("Choose an action first.");
    $("add-action").focus();
    return;
  }
  const base = choice === "__wait" ? "wait" : choice.split(".")[1];
  const ids = new Set(state.spec.steps.map((s) => s.id));
  let id = base;
  for (let n = 2; ids.has(id); n += 1) id = `${base}_${n}`;
  const step = choice === "__wait" ? { id, wait: "1 day" } : { id, action: choice, inputs: {} };
  state.spec.steps.push(step);
  state.selected = step;
  announce(`Added step ${id} at position ${state.spec.steps.length}.`);
  changed({ structure: true, focus: { step, role: "select" } });
}

setUp();
