"""Levqor's Slack app: Bolt listeners, pure Block Kit view builders, the app manifest."""
