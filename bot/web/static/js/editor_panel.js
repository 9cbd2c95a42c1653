// The configuration panel of the selected step, and the workflow's name and trigger fields.
import { el, markField, schemaField } from "./editor_fields.js";

const WHEN = {
  title: "Only run when",
  description: "A condition such as trigger.amount > 100 or steps.find.count > 0. Leave empty to always run.",
  type: "string",
};
const WAIT = { title: "Wait for", description: "How long to pause the run, e.g. 2 days or 3 hours.", type: "string" };
const STEP_ID = { title: "Step id", description: "Lower-case letters, digits and _; later steps refer to it.", type: "string" };
const STEP_NAME = { title: "Name", description: "Optional: a short name people see in run logs.", type: "string" };

function setOrDelete(target, key, value) {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/**
 * Draw the panel for `step` (null = nothing selected). `actions` maps names to
 * {description, risk, schema}; `edit.changed()` is called after each change and
 * `edit.local(key, message)` reports fields the browser cannot read yet.
 */
export function drawPanel(body, title, step, index, actions, edit) {
  if (!step) {
    title.textContent = "Step settings";
    body.replaceChildren(el("p", { class: "muted", text: "Select a step to change its settings." }));
    return;
  }
  const action = step.action ? actions.get(step.action) : null;
  title.textContent = `Step ${index + 1} settings`;
  const field = (key, name, prop, required = false) =>
    schemaField({
      key, name, prop, required,
      value: key.startsWith("inputs.") ? step.inputs?.[name] : step[name],
      onChange: (value) => {
        if (key.startsWith("inputs.")) setOrDelete((step.inputs ??= {}), name, value);
        else setOrDelete(step, name, value);
        edit.changed({ cards: true });
      },
      onLocal: edit.local,
    });
  const head = el(
    "div",
    { class: "panel-head" },
    el("p", { class: "row" },
      el("strong", { text: step.action ?? "Wait" }),
      action ? el("span", { class: `badge risk-${action.risk}`, text: `${action.risk} risk` }) : null),
    action?.description ? el("p", { class: "hint", text: action.description }) : null,
    step.action && !action ? el("p", { class: "error", text: `Unknown action ${step.action}.` }) : null,
  );
  const parts = [head, el("div", { class: "error step-level", "data-field": "", hidden: true }), field("id", "id", STEP_ID, true), field("name", "name", STEP_NAME)];
  if (step.wait !== undefined) parts.push(field("wait", "wait", WAIT, true));
  if (action) {
    const schema = action.schema;
    const required = new Set(schema.required ?? []);
    const entries = Object.entries(schema.properties ?? {});
    entries.sort(([a], [b]) => Number(required.has(b)) - Number(required.has(a)));
    const inputs = entries.map(([name, prop]) =>
      field(`inputs.${name}`, name, withDefs(prop, schema), required.has(name)));
    parts.push(el(
      "fieldset", { class: "inputs" },
      el("legend", { text: "Inputs" }),
      el("p", { class: "hint", text: "Insert values from the trigger or earlier steps with {{ trigger.email }} or {{ steps.<step id>.<field> }}." }),
      inputs.length ? inputs : el("p", { class: "muted", text: "This action takes no inputs." }),
    ));
  }
  parts.push(field("when", "when", WHEN));
  body.replaceChildren(...parts);
}

function withDefs(prop, schema) {
  return schema.$defs ? { ...prop, $defs: schema.$defs } : prop;
}

/** Show the panel's inline errors: `errors` is a list of {field, message} for the step. */
export function markPanel(body, errors) {
  const byField = new Map();
  for (const e of errors) byField.set(e.field, [...(byField.get(e.field) ?? []), e.message]);
  const unplaced = [];
  for (const node of body.querySelectorAll("[data-field]")) {
    const key = node.dataset.field;
    if (key) markField(body, key, byField.get(key) ?? []);
  }
  for (const [key, messages] of byField) {
    if (!key || !body.querySelector(`[data-field="${CSS.escape(key)}"]`)) {
      unplaced.push(...messages.map((m) => (key ? `${key}: ${m}` : m)));
    }
  }
  const box = body.querySelector(".step-level");
  if (box) {
    box.textContent = unplaced.join(" ");
    box.hidden = unplaced.length === 0;
  }
}

/** Draw the fields of the trigger (schema from `triggers[type]`) into `box`. */
export function drawTrigger(box, hint, trigger, triggers, edit) {
  const schema = triggers[trigger.type] ?? { properties: {} };
  hint.textContent = schema.description ?? "";
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, prop]) =>
    schemaField({
      key: `trigger.${name}`, name, prop: withDefs(prop, schema), required: required.has(name),
      value: trigger[name],
      onChange: (value) => {
        setOrDelete(trigger, name, value);
        edit.changed({});
      },
      onLocal: edit.local,
    }));
  box.replaceChildren(...fields);
}
