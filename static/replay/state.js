/*
 * The replay page's state: one object, read and changed by its modules, and exposed as
 * window.replay for tests and debugging.
 */

import { pathId, queryParam } from '../shared/location.js';

export const interviewId = pathId('replay');
export const token = queryParam('token');

export const state = {
  events: [],
  words: [], // {start, end, el, utt}
  utterances: [], // {start, end, el, mark}
  items: [], // questions and evaluations: {t, kind, el, text}
  chartSpecs: [], // CHARTS of charts.js with their points
  questionStarts: [], // {t, label, title}: the charts' question markers (charts.js)
  charts: [], // {spec, cursor, dot, value, x, y}
  duration: 0,
  eventsEnd: 0,
  hasMedia: false,
  t: 0, // the position when there is no recording
  activeWord: null,
  currentUtt: null,
  lastScrolled: null,
  raf: 0,
};

/** The index of the last entry of `list` (sorted by `key`) with key <= t, or -1. */
export function lastAtOrBefore(list, t, key) {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
