"""Web page routers, one module per area of the dashboard."""
