"""Framing verdict for one face observation: is the candidate well placed in the shot?"""

from __future__ import annotations

from analyzers.face import FaceObservation

#: Face-box height / frame height above which the face is "too close" ...
TOO_CLOSE_SIZE = 0.55
#: ... and below which it is "too far" (a head-and-shoulders webcam shot is about 0.2-0.45).
TOO_FAR_SIZE = 0.13
#: Largest allowed |horizontal offset| of the face centre (-1..1, frame half-widths).
MAX_OFFSET_X = 0.4
#: Vertical limits (frame half-heights, y down). A portrait naturally sits the face above the
#: frame centre, so more room is allowed upward than downward.
MAX_OFFSET_UP = 0.6
MAX_OFFSET_DOWN = 0.35

FRAMINGS = ("centred", "off-centre", "too close", "too far", "no face")


def classify_framing(obs: FaceObservation) -> str:
    """One of :data:`FRAMINGS`; size problems take precedence over position."""
    if not obs.present or obs.face_size is None or obs.center_offset is None:
        return "no face"
    if obs.face_size > TOO_CLOSE_SIZE:
        return "too close"
    if obs.face_size < TOO_FAR_SIZE:
        return "too far"
    dx, dy = obs.center_offset
    if abs(dx) > MAX_OFFSET_X or dy < -MAX_OFFSET_UP or dy > MAX_OFFSET_DOWN:
        return "off-centre"
    return "centred"
