"""Shared mechanisms that import no feature: access rules, text rendering, forms, errors."""
