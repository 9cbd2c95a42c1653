// The chat quickstart: send a message, read the streamed reply (server-sent events over fetch),
// render approval cards and answer them. Typed text is never lost: it returns to the box on error.
import { csrfToken } from "./app.js";
import { refreshCards, retireChoices, showChoices, wireCardActions } from "./chat_cards.js";

const chat = document.getElementById("chat");
const log = document.getElementById("chat-log");
const form = document.getElementById("composer");
const input = document.getElementById("chat-input");
const sendButton = document.getElementById("chat-send");
const errorBox = document.getElementById("chat-error");
const conversation = chat.dataset.conversation;
let busy = false;

/** Read server-sent event frames from a fetch response; call onEvent(name, data) per frame. */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const dispatch = (block) => {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const [field, ...rest] = line.split(":");
      const value = rest.join(":").replace(/^ /, "");
      if (field === "event") name = value;
      if (field === "data") data.push(value);
    }
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
    }
  }
  if (buffer.trim()) dispatch(buffer);
}

/** POST JSON and stream the answer into `handlers` ({status, token, card}); throws on `error`. */
async function stream(url, body, handlers) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrfToken(),
        "X-Requested-With": "fetch",
        Accept: "text/event-stream",
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error("Levqor could not be reached. Check your connection and try again.");
  }
  if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    let message = `The request failed (${response.status}).`;
    try {
      const data = await response.json();
      message = data?.error?.message ?? data?.detail ?? message;
    } catch { /* not JSON: keep the status message */ }
    if (response.status === 401) message = "Your session has ended: sign in again.";
    throw new Error(message);
  }
  let failure = null;
  await readEvents(response, (name, data) => {
    if (name === "error") failure = data.message;
    else handlers[name]?.(data);
  });
  if (failure) throw new Error(failure);
}

function scrollDown() {
  window.scrollTo({ top: document.body.scrollHeight });
}

function addMessage(role, text) {
  document.getElementById("chat-empty")?.remove();
  const row = document.createElement("div");
  row.className = `msg ${role}`;
  const who = document.createElement("p");
  who.className = "visually-hidden";
  who.textContent = role === "user" ? "You said:" : "Levqor:";
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.textContent = text;
  row.append(who, bubble);
  log.append(row);
  scrollDown();
  return row;
}

/** An assistant bubble showing "thinking" dots until the first token arrives. */
function replyBubble() {
  const row = addMessage("assistant", "");
  row.setAttribute("aria-busy", "true");
  const bubble = row.querySelector(".bubble");
  const dots = document.createElement("span");
  dots.className = "typing";
  dots.setAttribute("role", "img");
  dots.setAttribute("aria-label", "Levqor is thinking");
  dots.append(document.createElement("span"), document.createElement("span"), document.createElement("span"));
  bubble.append(dots);
  let text = "";
  return {
    row,
    get text() { return text; },
    add(chunk) {
      text += chunk;
      bubble.textContent = text;
      scrollDown();
    },
    end() {
      row.removeAttribute("aria-busy");
      if (!text) row.remove();
    },
  };
}

/** Show a card (replacing an earlier copy of the same approval). */
function showCard(html) {
  const holder = document.createElement("div");
  holder.className = "msg assistant card-msg";
  holder.innerHTML = html;
  const card = holder.querySelector(".draft-card");
  const earlier = log.querySelector(`.draft-card[data-approval-id="${card.dataset.approvalId}"]`);
  if (earlier) earlier.closest(".card-msg").remove();
  log.append(holder);
  scrollDown();
}

function showError(message) {
  errorBox.textContent = message;
}

// Settles when the reply being streamed has ended (a card's button pressed meanwhile waits for it).
let idle = Promise.resolve();
let markIdle = () => {};

function setBusy(on) {
  busy = on;
  if (on) idle = new Promise((resolve) => { markIdle = resolve; });
  else markIdle();
  sendButton.disabled = on;
  sendButton.textContent = on ? "Sending…" : "Send";
}

/** Send one message (or a card's button, `extra`) and stream the reply; on failure the text goes
 * back into the box. */
async function send(text, extra = {}) {
  text = text.trim();
  if (busy) return;
  if (!text) {
    showError("Type what you would like to automate first.");
    input.focus();
    return;
  }
  showError("");
  setBusy(true);
  input.value = "";
  autosize();
  retireChoices(log);
  const mine = addMessage("user", text);
  const reply = replyBubble();
  try {
    await stream("/chat/messages", { conversation, text, ...extra }, {
      token: (data) => reply.add(data.text),
      card: (data) => showCard(data.html),
      choices: (data) => showChoices(reply.row, data.options),
    });
  } catch (error) {
    if (!reply.text) {
      mine.remove();
      if (!input.value.trim()) input.value = text;
      autosize();
    }
    showError(error.message);
  } finally {
    reply.end();
    setBusy(false);
    input.focus();
  }
  await refreshCards(log);
}

/** Approve or reject a card; the assistant's answer streams into a new bubble. */
async function decide(card, decision) {
  const status = card.querySelector('[data-role="status"]');
  const confirmBox = card.querySelector('[data-role="confirm"]');
  if (decision === "approve" && confirmBox && !confirmBox.checked) {
    status.textContent = "Tick the box to confirm this workflow first.";
    confirmBox.focus();
    return;
  }
  const nameBox = card.querySelector('[data-role="typed-name"]');
  if (decision === "approve" && nameBox && !nameBox.value.trim()) {
    status.textContent = "Type the workflow's name to approve it.";
    nameBox.focus();
    return;
  }
  // Pressed while the reply that brought the card is still streaming: decide once it has ended
  // (the press was silently dropped before).
  if (busy) status.textContent = "Waiting for the reply to finish…";
  while (busy) await idle;
  const buttons = card.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  status.textContent = decision === "approve" ? "Approving…" : "Rejecting…";
  setBusy(true);
  const body = {
    conversation,
    decision,
    approval_id: card.dataset.approvalId,
    confirm: Boolean(confirmBox?.checked),
    typed_name: decision === "approve" && nameBox ? nameBox.value.trim() : null,
    reason: card.querySelector('[data-role="reason"]')?.value ?? "",
  };
  const said = addMessage("user", decision === "approve" ? "Approve" : "Reject");
  const reply = replyBubble();
  let again = false;
  try {
    await stream("/chat/approvals", body, {
      token: (data) => reply.add(data.text),
      card: (data) => {
        again = data.approval_id === card.dataset.approvalId;
        showCard(data.html);
      },
    });
    if (!again) {
      card.classList.add("decided");
      status.textContent = decision === "approve" ? "You approved this." : "You rejected this.";
    }
  } catch (error) {
    if (!reply.text) said.remove();
    status.textContent = error.message;
  } finally {
    reply.end();
    buttons.forEach((button) => { button.disabled = false; });
    setBusy(false);
  }
  await refreshCards(log);
}

function toggleReject(card, open) {
  card.querySelector('[data-role="reject-box"]').hidden = !open;
  card.querySelector('[data-action="reject"]').setAttribute("aria-expanded", String(open));
  if (open) card.querySelector('[data-role="reason"]').focus();
  else card.querySelector('[data-action="reject"]').focus();
}

log.addEventListener("click", (event) => {
  const chip = event.target.closest("button[data-ask]");
  if (chip) {
    input.value = chip.dataset.ask;
    send(chip.dataset.ask);
    return;
  }
  const button = event.target.closest("button[data-action]");
  const card = button?.closest(".draft-card");
  if (!card) return;
  const action = button.dataset.action;
  if (action === "approve") decide(card, "approve");
  else if (action === "reject") toggleReject(card, true);
  else if (action === "reject-cancel") toggleReject(card, false);
  else if (action === "reject-send") decide(card, "reject");
});

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight + 2, 192)}px`;
}

wireCardActions(log, send);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send(input.value);
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send(input.value);
  }
});
input.addEventListener("input", () => {
  autosize();
  if (input.value.trim()) showError("");
});

if (chat.dataset.ask) {
  history.replaceState(null, "", "/");
  if ("sendAsk" in chat.dataset) send(chat.dataset.ask);
  else {
    input.value = chat.dataset.ask;
    autosize();
    input.focus();
  }
} else {
  scrollDown();
  input.focus();
}
