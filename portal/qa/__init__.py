"""Questions from families, reviewed by moderators and answered by clinicians."""
