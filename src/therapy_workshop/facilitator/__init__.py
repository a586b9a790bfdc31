"""facilitator."""
