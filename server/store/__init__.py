"""Storage: the tables, all SQL queries, schema migrations, the event writer, and which node
owns which live session."""
