/*
 * Numbers and how the pages show them.
 */

/** A finite number, or null. */
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Seconds as M:SS, or H:MM:SS from an hour on (whole seconds, rounded down). */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A value with `digits` decimals and a suffix, or '—' when it is missing. */
export function fmt(value, digits = 0, suffix = '') {
  const n = Number(value);
  return value == null || !Number.isFinite(n) ? '—' : `${n.toFixed(digits)}${suffix}`;
}

/** "1 word", "2 words". */
export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The colour tone of a 0..100 score (CSS data-tone). */
export function scoreTone(score) {
  if (score == null) return 'neutral';
  return score >= 70 ? 'ok' : score >= 50 ? 'warn' : 'bad';
}
