// Workflow library: Pause / Resume / Run now without leaving the page (the forms work without it).
import { api, toast } from "./app.js";

const LABELS = {
  draft: "Draft",
  pending_approval: "Pending approval",
  active: "Active",
  paused: "Paused",
  archived: "Archived",
};

/** Show the forms that fit the new status and update the status badge of that workflow. */
function applyStatus(workflowId, status) {
  for (const holder of document.querySelectorAll(`[data-workflow-row="${workflowId}"]`)) {
    const badge = holder.querySelector("[data-status]");
    if (badge) {
      badge.className = `badge ${status}`;
      badge.textContent = LABELS[status] ?? status;
    }
  }
  for (const form of document.querySelectorAll(`[data-workflow="${workflowId}"] form[data-show-when]`)) {
    form.hidden = form.dataset.showWhen !== status;
  }
}

/** After Run now: the last-run cell shows the queued run and the 7-day count goes up. */
function showQueuedRun(workflowId, runId) {
  const row = document.querySelector(`tr[data-workflow-row="${workflowId}"]`);
  if (!row) return;
  const cell = row.querySelector("[data-last-run]");
  if (cell) {
    cell.replaceChildren();
    const link = document.createElement("a");
    link.href = `/runs/${runId}`;
    const badge = document.createElement("span");
    badge.className = "badge queued";
    badge.textContent = "queued";
    link.append(badge);
    const when = document.createElement("span");
    when.className = "muted small";
    when.textContent = " just now";
    cell.append(link, when);
  }
  const count = row.querySelector("[data-runs-7d]");
  if (count) count.textContent = String(Number(count.textContent || "0") + 1);
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.wf-act") || event.defaultPrevented) return;
  event.preventDefault();
  const holder = form.closest("[data-workflow]");
  const workflowId = holder?.dataset.workflow ?? "";
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const answer = await api(form.action, { method: "POST" });
    applyStatus(workflowId, answer.status);
    if (answer.run_id) showQueuedRun(workflowId, answer.run_id);
    toast(answer.message);
  } catch (error) {
    toast(error.message, 5000);
  } finally {
    if (button) button.disabled = false;
  }
  const next = [...(holder?.querySelectorAll("form:not([hidden]) button, a") ?? [])][0];
  if (button && form.hidden && next instanceof HTMLElement) next.focus();
});
