// Health page: live status canvas driven by /live/events, and tiles refreshed when runs end.
import { api } from "./app.js";
import { StatusCanvas } from "./canvas.js";
import { openLive } from "./live.js";

const MIN_SHOW_MS = 1200; // every state stays long enough to be seen
const FLASH_MS = { success: 3500, error: 7000 };
const TEXT = {
  idle: () => "Idle: nothing is running.",
  processing: (n) => `Processing: ${n === 1 ? "a run is" : `${n} runs are`} in progress.`,
  waiting: (n) => `Waiting for approval: ${n === 1 ? "a workflow waits" : `${n} workflows wait`} for someone to approve it.`,
  success: () => "Success: the last run succeeded.",
  error: () => "Error: a run failed.",
};

const canvasEl = document.getElementById("status-canvas");
const textEl = document.getElementById("status-text");
const linkEl = document.getElementById("status-link");
const detailEl = document.getElementById("status-detail");
const streamEl = document.getElementById("stream-state");
const visual = new StatusCanvas(canvasEl);

const active = new Set(); // run ids seen running since the snapshot
let unnamedRunning = 0; // runs the snapshot counted that we have no id for
let pending = Number(canvasEl.dataset.pending || 0);
let flash = null; // {state, until, detail, runId}
let shown = canvasEl.dataset.state || "idle";
let shownAt = 0;
let timer = 0;

function running() {
  return active.size + unnamedRunning;
}

function wanted() {
  if (flash && (flash.until === null || performance.now() < flash.until)) return flash.state;
  flash = null;
  if (running()) return "processing";
  if (pending > 0) return "waiting";
  return "idle";
}

const queue = []; // states to show next, each for at least MIN_SHOW_MS (idle is never held)

function update() {
  const state = wanted();
  if (state !== (queue.length ? queue[queue.length - 1] : shown)) queue.push(state);
  else if (!queue.length) show(state); // same state, new counts
  pump();
}

function pump() {
  clearTimeout(timer);
  const held = performance.now() - shownAt;
  if (queue.length && shown !== "idle" && held < MIN_SHOW_MS) {
    timer = setTimeout(pump, MIN_SHOW_MS - held);
    return;
  }
  if (queue.length) show(queue.shift());
  if (queue.length) timer = setTimeout(pump, MIN_SHOW_MS);
  else if (flash?.until) timer = setTimeout(update, flash.until - performance.now() + 20);
}

function show(state) {
  const flashing = flash?.state === state;
  if (flashing && flash.until === null) flash.until = performance.now() + FLASH_MS[state];
  if (state !== shown) shownAt = performance.now();
  shown = state;
  const count = state === "waiting" ? pending : running();
  visual.set(state, { count });
  const text = TEXT[state](count);
  const detail = flashing ? flash.detail : "";
  if (textEl.textContent !== text) textEl.textContent = text; // announce changes only
  if (detailEl.textContent !== detail) detailEl.textContent = detail;
  const runId = flashing ? flash.runId : null;
  linkEl.hidden = !runId;
  if (runId) linkEl.href = `/runs/${encodeURIComponent(runId)}`;
  document.querySelectorAll(".status-legend li").forEach((li) => {
    li.toggleAttribute("aria-current", li.dataset.key === state);
  });
}

function started(event) {
  active.add(event.run_id);
  if (flash?.state === "success") flash = null; // new work replaces good news; errors stay a while
  update();
}

function finished(event, state) {
  if (!active.delete(event.run_id) && unnamedRunning > 0) unnamedRunning -= 1;
  if (state) flash = { state, until: null, detail: (event.detail || "").slice(0, 160), runId: event.run_id };
  update();
  refreshSoon();
}

let refreshTimer = 0;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 300);
}

async function refresh() {
  let figures;
  try {
    figures = await api("/health/figures");
  } catch {
    return;
  }
  for (const tile of document.querySelectorAll("[data-figure]")) {
    const key = tile.dataset.figure;
    if (!(key in figures)) continue;
    const value = figures[key];
    tile.textContent = value === null ? "—" : key.startsWith("success_rate") ? `${value}%` : String(value);
  }
  pending = figures.pending_approvals;
  renderFailures(figures.failures || []);
  update();
}

function renderFailures(failures) {
  const list = document.getElementById("failures");
  if (!list) return;
  list.replaceChildren(
    ...failures.map((failure) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/runs/${encodeURIComponent(failure.id)}`;
      link.textContent = failure.workflow;
      const when = document.createElement("time");
      when.dateTime = failure.at;
      when.className = "muted";
      when.textContent = failure.at_text;
      const error = document.createElement("p");
      error.className = "failure-error";
      error.textContent = failure.error || "failed";
      item.append(link, " ", when, error);
      return item;
    }),
  );
  document.getElementById("no-failures")?.toggleAttribute("hidden", failures.length > 0);
}

const handlers = {
  snapshot(counts) {
    streamEl.dataset.status = "open";
    streamEl.textContent = "Live";
    active.clear();
    unnamedRunning = counts.running;
    pending = counts.pending_approvals;
    update();
  },
  "run.started": (event) => {
    started(event);
    refreshSoon();
  },
  "step.started": started,
  "step.finished": started,
  "run.waiting": (event) => finished(event, null),
  "run.succeeded": (event) => finished(event, "success"),
  "run.failed": (event) => finished(event, "error"),
  "approval.pending": () => {
    pending += 1;
    update();
    refreshSoon();
  },
  "approval.decided": () => {
    pending = Math.max(0, pending - 1);
    update();
    refreshSoon();
  },
};

openLive(handlers, {
  onStatus(status) {
    if (status === "open") return; // "Live" once the snapshot has arrived
    streamEl.dataset.status = status;
    streamEl.textContent = status === "closed" ? "Offline" : "Reconnecting…";
  },
});
update();
