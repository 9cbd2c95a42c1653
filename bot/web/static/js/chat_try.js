// "Try it" on a draft card: run the draft once on sample data (a dry run: nothing is sent) and
// show each step's outcome and the messages it would send inside the card.
import { api } from "./app.js";

const log = document.getElementById("chat-log");

/** Ask the server to try the card's draft; put the answer (or why not) into the card. */
async function tryDraft(card, button) {
  const box = card.querySelector('[data-role="trial"]');
  if (!box || button.disabled) return;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  box.textContent = "Trying it on sample data…";
  try {
    const answer = await api("/chat/try", {
      method: "POST",
      body: { approval_id: card.dataset.approvalId },
    });
    box.innerHTML = answer.html;
    button.textContent = "Try again";
  } catch (error) {
    box.textContent = `It could not be tried: ${error.message}`;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

log?.addEventListener("click", (event) => {
  const button = event.target.closest('button[data-action="try"]');
  const card = button?.closest(".draft-card");
  if (card) tryDraft(card, button);
});
