"""The guided course for families: modules and steps loaded from files, progress, pacing."""
