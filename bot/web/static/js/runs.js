// Run detail: while the run is not finished, poll its state and reload the page when it moves on.
import { api } from "./app.js";

const box = document.getElementById("run-state");
const FAST_MS = 1500;
const SLOW_MS = 10000;

async function poll() {
  if (!box || box.dataset.finished === "true") return;
  let state;
  try {
    state = await api(`/runs/${box.dataset.run}.json`);
  } catch {
    setTimeout(poll, SLOW_MS); // offline or signed out: try again later, quietly
    return;
  }
  if (state.fingerprint !== box.dataset.fingerprint) {
    window.location.reload();
    return;
  }
  if (!state.finished) setTimeout(poll, state.status === "waiting" ? SLOW_MS : FAST_MS);
}

setTimeout(poll, FAST_MS);
