"""Management commands of the durable timers app."""
