"""Transports: WebSocket frames, WebRTC tracks, decoding, resampling, recording."""
