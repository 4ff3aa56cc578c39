"""The shared goal board: the patient's recovery goals, with the family helping, never pushing."""
