"""The interview: turn-taking of a live session, recruiters' questions and approvals, commands
routed across nodes, and the LLM interviewer (Groq, with offline fallbacks)."""
