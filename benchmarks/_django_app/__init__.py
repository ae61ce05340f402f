"""A Django app for S17: one model with a state machine, its twin without."""
