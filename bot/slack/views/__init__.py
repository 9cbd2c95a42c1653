"""Pure Block Kit builders: data in, blocks out; tested without Slack."""
