"""Pages everyone shares: home and dashboard, crisis help, health check."""
