// Live events of the signed-in workspace: one EventSource on /live/events, typed callbacks.
//
//   import { openLive } from "/static/js/live.js";
//   const live = openLive({ snapshot: (counts) => …, "run.failed": (event) => …, "*": (data, kind) => … },
//                         { onStatus: (status) => … });   // "open" | "reconnecting" | "closed"
//   live.close();
//
// Every event's data is parsed JSON (run/step/approval events: kind, workflow_id, run_id, step_id,
// detail, at). The browser reconnects by itself; each reconnection starts with a new snapshot.

export const LIVE_KINDS = [
  "snapshot",
  "run.started",
  "step.started",
  "step.finished",
  "run.waiting",
  "run.succeeded",
  "run.failed",
  "approval.pending",
  "approval.decided",
];

/** Open the stream and call `handlers[kind](data, kind)` (and `handlers["*"]`) for each event. */
export function openLive(handlers = {}, { url = "/live/events", onStatus = () => {} } = {}) {
  const source = new EventSource(url, { withCredentials: true });
  for (const kind of LIVE_KINDS) {
    source.addEventListener(kind, (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      handlers[kind]?.(data, kind);
      handlers["*"]?.(data, kind);
    });
  }
  source.addEventListener("open", () => onStatus("open"));
  source.addEventListener("error", () => {
    onStatus(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  });
  const close = () => {
    source.close();
    onStatus("closed");
  };
  // Leaving the page frees the server's stream at once.
  window.addEventListener("pagehide", () => source.close(), { once: true });
  return { source, close };
}
