/*
 * "We can't see your face": the hint over the Delivery gauges once the `metrics` events have
 * said `face_present: false` for FACE_MISSING_MS on end (eye contact and posture then show
 * "—"); it goes as soon as a face is seen again.
 */

import { $ } from '../shared/dom.js';

export const FACE_MISSING_MS = 3000;

let missingSince = null;

/** A live `metrics` event. */
export function onFaceSeen(m) {
  const hint = $('face-hint');
  if (!hint || !('face_present' in m)) return;
  if (m.face_present || m.camera_frozen) {
    missingSince = null;
    hint.hidden = true;
    return;
  }
  const now = performance.now();
  if (missingSince == null) missingSince = now;
  if (now - missingSince >= FACE_MISSING_MS) hint.hidden = false;
}
