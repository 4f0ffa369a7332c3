/*
 * The report's teaching part, at its top: the 2-3 takeaways (plain sentences with their
 * evidence) and the flagged moments, each a link opening the replay at that second
 * (/replay/{id}?token=…&t=SECONDS).
 */

import { $, node, show } from '../shared/dom.js';
import { formatClock } from '../shared/format.js';

/** The replay's address at second `t` (none: its start). */
export function replayUrl(id, token, t) {
  const q = new URLSearchParams();
  if (token) q.set('token', token);
  if (t != null && Number.isFinite(Number(t))) q.set('t', String(Math.max(0, Math.round(Number(t) * 10) / 10)));
  const qs = q.toString();
  return `/replay/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`;
}

function momentLink(id, token, t, text) {
  const a = node('a', 'moment-link', text);
  a.href = replayUrl(id, token, t);
  a.dataset.t = String(t);
  return a;
}

export function drawTakeaways(r, id, token) {
  const list = $('takeaways');
  list.replaceChildren();
  for (const k of r.takeaways || []) {
    const li = node('li', 'takeaway');
    li.dataset.kind = k.kind || '';
    li.append(node('strong', 'takeaway-title', k.title || ''), node('p', 'takeaway-text', k.text || ''));
    if (k.t != null) li.append(momentLink(id, token, k.t, `Watch this moment (${formatClock(Math.round(k.t))})`));
    list.append(li);
  }
  show('takeaways-panel', list.children.length > 0);
  const moments = $('moments');
  moments.replaceChildren();
  for (const m of r.moments || []) {
    const li = node('li', 'moment');
    li.dataset.kind = m.kind || '';
    li.append(momentLink(id, token, m.t, formatClock(Math.round(m.t))), node('span', null, ` ${m.label || ''}`));
    moments.append(li);
  }
  show('moments-panel', moments.children.length > 0);
  const replay = $('replay-link');
  replay.href = replayUrl(id, token, null);
  replay.hidden = false;
}
