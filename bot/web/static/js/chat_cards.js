// Cards as they stand now, the buttons a decided card keeps, and choices offered under a reply.
//
//   refreshCards(log)            re-render every card on the page from current data (GET /chat/cards)
//   showChoices(row, options)    chips under a reply; clicking one sends its words (data-ask)
//   retireChoices(log)           hide earlier chips once the person says something else
//   wireCardActions(log, send)   "Run now", "Pause", "Resume", "Reopen" act on their own card's workflow

/** Re-render the cards whose state changed; a card still waiting keeps what is typed in it. */
export async function refreshCards(log) {
  const cards = [...log.querySelectorAll(".draft-card[data-approval-id]")];
  if (!cards.length) return;
  const query = new URLSearchParams(cards.map((card) => ["approval", card.dataset.approvalId]));
  let data;
  try {
    const response = await fetch(`/chat/cards?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    });
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return; // offline: the cards show what they showed; the next turn tries again
  }
  for (const card of cards) {
    const html = data.cards?.[card.dataset.approvalId];
    if (!html) continue;
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector(".draft-card");
    if (!fresh || (fresh.dataset.state === "pending" && card.dataset.state === "pending")) continue;
    if (fresh.outerHTML !== card.outerHTML) card.replaceWith(fresh);
  }
}

/** Offer `options` under the reply `row`: each chip sends its words as the next message. */
export function showChoices(row, options) {
  const list = document.createElement("ul");
  list.className = "chat-choices";
  list.setAttribute("aria-label", "Choices");
  for (const option of options) {
    const item = document.createElement("li");
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.dataset.ask = option;
    chip.textContent = option;
    item.append(chip);
    list.append(item);
  }
  row.after(list);
}

/** Earlier choices are answered (or passed over) once the person says something. */
export function retireChoices(log) {
  log.querySelectorAll(".chat-choices:not(.answered)").forEach((list) => list.classList.add("answered"));
}

/** A decided card's buttons: each acts on the workflow of the card it sits on. */
export function wireCardActions(log, send) {
  log.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-card-action]");
    const card = button?.closest(".draft-card");
    if (!card) return;
    send(button.dataset.said || button.textContent, {
      action: button.dataset.cardAction,
      workflow_id: card.dataset.workflowId,
    });
  });
}
