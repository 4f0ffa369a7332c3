/*
 * Reading the fields of a `metrics` event (room, spectator and replay).
 */

import { num } from './format.js';

/** True once the candidate has said something (delivery figures mean something). */
export const spoke = (m) => (num(m.words) ?? 0) > 0 || (num(m.speaking_s) ?? 0) > 0;

/** A `metrics` event as the gauges show it: before the first word there is no delivery
 * figure (0 fillers, or a confidence of 100, of nothing said), so those fields are null and
 * their gauges keep their "—"; a metric without data is absent, not perfect (vision fields
 * are the server's own: null until a face was analysed). */
export function withData(m) {
  if (spoke(m)) return m;
  const out = { ...m, filler_count: null, fillers_per_min: null };
  if ('confidence' in m) out.confidence = null;
  return out;
}

/** eye_contact may be a share 0..1 or an object carrying one. */
export function eyeShare(v) {
  if (v && typeof v === 'object') v = v.value ?? v.share ?? v.score ?? v.eye_contact;
  return num(v);
}

/** The confidence score of a `metrics` event (an object with `score`, or a number). */
export const confidenceScore = (c) => num(c && typeof c === 'object' ? c.score : c);

