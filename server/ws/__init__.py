"""WebSockets: the candidate's socket (media and control in, events out), the spectators'
socket (catch-up then live, recruiter actions) and their shared protocol."""
