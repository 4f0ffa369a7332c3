"""Live sessions: the session and its manager, the speech and video pipelines, and the shared
ASR and vision schedulers."""
