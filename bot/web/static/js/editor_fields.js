// Form fields generated from a JSON schema property (action inputs, trigger fields).

/** Create an element: attrs (class, text, on<event>, others as attributes) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const LONG_TEXT = new Set(["text", "html", "body", "message", "note", "prompt", "intro", "thank_you"]);

/** How to edit a schema property: text, textarea, number, checkbox, select or json. */
export function kindOf(name, prop) {
  let p = prop;
  if (Array.isArray(p.anyOf)) {
    const options = p.anyOf.filter((o) => o.type !== "null");
    if (options.length !== 1) {
      return { kind: "json", allowsString: options.some((o) => o.type === "string") };
    }
    p = options[0];
  }
  if (Array.isArray(p.enum)) return { kind: "select", options: p.enum };
  if (p.$ref) return { kind: "json", allowsString: false };
  switch (p.type) {
    case "string":
      return { kind: LONG_TEXT.has(name) ? "textarea" : "text" };
    case "integer":
    case "number":
      return { kind: "number", step: p.type === "integer" ? "1" : "any", min: p.minimum, max: p.maximum };
    case "boolean":
      return { kind: "checkbox" };
    default:
      return { kind: "json", allowsString: false };
  }
}

/** A readable label: the schema title ("Max Sentences" → "Max sentences") or the name. */
export function labelOf(name, prop) {
  const text = prop.title || name.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

function hintOf(prop) {
  const parts = [];
  if (prop.description) parts.push(prop.description);
  if (prop.default !== undefined && prop.default !== null && !(typeof prop.default === "object" && Object.keys(prop.default).length === 0)) {
    parts.push(`Default: ${typeof prop.default === "string" ? prop.default : JSON.stringify(prop.default)}.`);
  }
  return parts.join(" ");
}

function showText(value, kind) {
  if (value === undefined || value === null) return "";
  if (kind.kind === "json") {
    return typeof value === "string" && kind.allowsString ? value : JSON.stringify(value, null, 2);
  }
  return String(value);
}

function readValue(control, kind) {
  if (kind.kind === "checkbox") return { ok: true, value: control.checked };
  const text = control.value;
  if (text.trim() === "") return { ok: true, value: undefined };
  if (kind.kind === "number") {
    if (text.includes("{{")) return { ok: true, value: text };
    const number = Number(text);
    return Number.isFinite(number) ? { ok: true, value: number } : { ok: false, message: "Enter a number." };
  }
  if (kind.kind !== "json") return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    if (kind.allowsString) return { ok: true, value: text };
    return { ok: false, message: "This is not valid JSON yet." };
  }
}

function control(id, kind, value, prop, required) {
  const text = showText(value, kind);
  switch (kind.kind) {
    case "textarea":
      return el("textarea", { id, rows: 3, text });
    case "json":
      return el("textarea", { id, rows: 4, class: "code", spellcheck: "false", text });
    case "checkbox": {
      const box = el("input", { id, type: "checkbox" });
      box.checked = Boolean(value ?? prop.default ?? false);
      return box;
    }
    case "select": {
      const blank = required ? "Choose…" : `Default${prop.default ? ` (${prop.default})` : ""}`;
      const select = el("select", { id }, el("option", { value: "", text: blank }));
      for (const option of kind.options) select.append(el("option", { value: option, text: option }));
      select.value = text;
      return select;
    }
    case "number":
      if (typeof value === "string") return el("input", { id, type: "text", inputmode: "decimal", value: text });
      return el("input", { id, type: "number", step: kind.step, min: kind.min, max: kind.max, value: text });
    default:
      return el("input", { id, type: "text", value: text });
  }
}

/**
 * One labelled field for a schema property. `key` names it for inline errors (data-field);
 * `onChange(value)` gets the parsed value (undefined = remove it); `onLocal(key, message)`
 * reports (or clears with null) a problem found in the browser, such as JSON that does not parse.
 */
export function schemaField({ key, name, prop, required = false, value, onChange, onLocal }) {
  const id = `f-${key.replaceAll(".", "-")}`;
  const kind = kindOf(name, prop);
  const hint = hintOf(prop);
  const input = control(id, kind, value, prop, required);
  const describedBy = [hint ? `${id}-hint` : "", `${id}-local`, `${id}-err`].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", describedBy);
  if (required) input.setAttribute("aria-required", "true");
  if (kind.kind === "number" || kind.kind === "text" || kind.kind === "textarea") input.setAttribute("autocomplete", "off");
  const local = el("p", { class: "error local", id: `${id}-local`, hidden: true });
  const event = kind.kind === "checkbox" || kind.kind === "select" ? "change" : "input";
  input.addEventListener(event, () => {
    const result = readValue(input, kind);
    local.hidden = result.ok;
    local.textContent = result.ok ? "" : result.message;
    onLocal?.(key, result.ok ? null : result.message);
    if (result.ok) onChange(result.value);
  });
  const label = el(
    "label",
    { for: id },
    labelOf(name, prop),
    required ? el("span", { class: "req", "aria-hidden": "true", text: " *" }) : null,
    required ? el("span", { class: "visually-hidden", text: " (required)" }) : null,
  );
  const hintNode = hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null;
  const error = el("p", { class: "error server", id: `${id}-err`, hidden: true });
  if (kind.kind === "checkbox") {
    return el("div", { class: "field check", "data-field": key }, el("div", { class: "row" }, input, label), hintNode, local, error);
  }
  return el("div", { class: "field", "data-field": key }, label, hintNode, input, local, error);
}

/** Show (or clear, with an empty list) server messages on the field `key` inside `root`. */
export function markField(root, key, messages) {
  const field = root.querySelector(`[data-field="${CSS.escape(key)}"]`);
  if (!field) return false;
  const error = field.querySelector(".error.server");
  const input = field.querySelector("input, select, textarea");
  error.textContent = messages.join(" ");
  error.hidden = messages.length === 0;
  if (input) input.setAttribute("aria-invalid", messages.length ? "true" : "false");
  return true;
}
