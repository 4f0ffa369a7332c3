"""Events: the typed event model of a session's stream, its brokers and catch-up."""
