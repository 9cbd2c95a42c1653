"""The built-in SMTP gateway: inbound mail for the workspaces' addresses starts email workflows."""
