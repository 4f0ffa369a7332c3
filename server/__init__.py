"""The interview server: app, routes, sessions, events, storage, auth, broker."""
