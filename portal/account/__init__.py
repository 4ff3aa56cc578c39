"""The person's own data: export (and, later, deletion). Sits above every feature."""
