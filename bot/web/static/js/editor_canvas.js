// The editor's living canvas (the health page's StatusCanvas): thinking while the preview is
// checked, working while a dry run goes, green or red on the result. The state is also in
// canvas.dataset.state and said in words beside it.
import { StatusCanvas } from "./canvas.js";

const canvasEl = document.getElementById("editor-canvas");
const textEl = document.getElementById("editor-canvas-text");
const visual = canvasEl ? new StatusCanvas(canvasEl) : null;

export const WORDS = {
  idle: "Ready: change a step, or try it on sample data.",
  thinking: "Thinking: checking your changes…",
  processing: "Working: trying it on sample data. Nothing is sent.",
};

/** Show `state` with `text` (or the state's usual words). */
export function showState(state, text) {
  if (!visual) return;
  visual.set(state);
  const words = text ?? WORDS[state] ?? "";
  if (textEl.textContent !== words) textEl.textContent = words;
}
