// Shared helpers for every page: CSRF-aware fetch, toasts, confirm-on-submit.

/** The page's CSRF token (from <meta name="csrf-token">). */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** fetch() with the CSRF header and JSON in/out; throws Error(message) on a non-2xx answer. */
export async function api(url, { method = "GET", body, headers = {} } = {}) {
  const init = {
    method,
    headers: { "X-CSRF-Token": csrfToken(), "X-Requested-With": "fetch", Accept: "application/json", ...headers },
    credentials: "same-origin",
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = data?.error?.message ?? `request failed (${response.status})`;
    const error = new Error(message);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

/** Show a short message at the bottom of the page (announced to screen readers). */
export function toast(message, ms = 3000) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(box._timer);
  box._timer = setTimeout(() => box.classList.remove("show"), ms);
}

// <form data-confirm="Are you sure?"> asks before submitting.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Bars sized from data (the CSP allows no inline style attributes): data-rate="12.5" → --rate: 12.5%.
for (const bar of document.querySelectorAll("[data-rate]")) {
  bar.style.setProperty("--rate", `${Number(bar.dataset.rate) || 0}%`);
}

// <button data-copy="#field"> copies that field's value to the clipboard.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    toast("Copied.");
  } catch {
    toast("Select the link and copy it with Ctrl+C.");
  }
});
