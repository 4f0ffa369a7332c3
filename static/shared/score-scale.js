/*
 * The one colour scale of scores (0-100) on the report and the replay: under 40 poor,
 * 40-69 fair, 70 and more good. Each band has a class (score-poor / score-fair / score-good)
 * and a word, so the colour is never the only cue.
 */

export const SCORE_BANDS = [
  { min: 70, band: 'good', word: 'good' },
  { min: 40, band: 'fair', word: 'fair' },
  { min: -Infinity, band: 'poor', word: 'poor' },
];

/** {band, word, className} of a score, or null without one. */
export function scoreBand(score) {
  if (score == null || !Number.isFinite(Number(score))) return null;
  const b = SCORE_BANDS.find((x) => Number(score) >= x.min);
  return { band: b.band, word: b.word, className: `score-${b.band}` };
}

/** The older tone names (ok / warn / bad) of the same bands, for shared/charts.js. */
export function scoreTone(score) {
  const b = scoreBand(score);
  return b ? { good: 'ok', fair: 'warn', poor: 'bad' }[b.band] : 'neutral';
}

/** Mark `el` with the band of `score` (class, data-band, and the tone for older CSS). */
export function applyScore(el, score) {
  for (const x of SCORE_BANDS) el.classList.remove(`score-${x.band}`);
  const b = scoreBand(score);
  el.dataset.tone = scoreTone(score);
  if (b) { el.classList.add(b.className); el.dataset.band = b.band; } else delete el.dataset.band;
  return b;
}
