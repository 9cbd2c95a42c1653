"""Action and view callback ids shared by the view builders and the listeners."""

from __future__ import annotations

APPROVE = "approval_approve"
REJECT = "approval_reject"
EDIT = "approval_edit"
TRY = "approval_try"  # run the draft on sample data; nothing is sent
RETRY_RUN = "run_retry"  # also written by workflows.runtime's failure alert
RUN_WORKFLOW = "workflow_run"
HOME_REFRESH = "home_refresh"
SUPPORT_TICKET = "support_ticket"  # "Still need help?" under a `/levqor support` answer
CHOICE = "conversation_choice"  # + "_<n>": one per offered option

EDIT_VIEW = "draft_edit"
CONFIRM_VIEW = "approval_confirm"
