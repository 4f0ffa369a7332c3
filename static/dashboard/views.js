/*
 * The dashboard's content: the summary boxes (the list's `summary`: the server counts the same
 * rows it lists) and the interviews table (stacked cards on a phone: each cell's data-label
 * names it there).
 */

import { $, node, statBox } from '../shared/dom.js';
import { fmt, scoreTone } from '../shared/format.js';
import { PAGE_SIZE } from './api.js';
import { rowActions } from './actions.js';

export const state = { page: 1, total: 0, user: null };

export const OUTCOME_TEXT = Object.freeze({
  completed: 'Completed', incomplete: 'Incomplete', abandoned: 'Abandoned', live: 'Live',
  pending: 'Pending',
});

export function drawStats(summary) {
  const s = summary || {};
  const items = [
    [fmt(s.total ?? 0), 'interviews', 'total'],
    [fmt(s.completed ?? 0), 'completed', 'completed'],
    [fmt(s.incomplete ?? 0), 'incomplete', 'incomplete'],
    [fmt(s.abandoned ?? 0), 'abandoned', 'abandoned'],
    [fmt(s.live ?? 0), 'live now', 'live'],
    [fmt(s.pending ?? 0), 'not started', 'pending'],
    [s.average_score == null ? '-' : fmt(s.average_score), 'average score', 'average'],
  ];
  $('stats').replaceChildren(...items.map(([value, label, key]) => {
    const box = statBox(value, label, 'panel stat');
    box.dataset.stat = key;
    return box;
  }));
}

/** Who answers: their name (and email when it differs), or a plain note. */
export function candidateText(candidate) {
  if (!candidate) return 'Anyone with the link';
  const { name, email } = candidate;
  return name && email && name !== email ? `${name} (${email})` : name || email;
}

function labelled(label, child, className) {
  const td = node('td', className);
  td.dataset.label = label;
  if (typeof child === 'string') td.textContent = child;
  else td.append(child);
  return td;
}

export function drawInterviews(list, handlers) {
  const body = $('interviews');
  body.replaceChildren();
  state.total = list.total || 0;
  for (const item of list.items || []) {
    const outcome = item.outcome || 'pending';
    const status = node('span', 'badge', OUTCOME_TEXT[outcome] || outcome);
    status.dataset.status = outcome;
    if (outcome === 'incomplete' && item.questions_planned) {
      status.title = `${item.questions_answered} of ${item.questions_planned} questions answered`;
    }
    const score = node('b', null, item.final_score == null ? '-' : fmt(item.final_score));
    score.dataset.tone = scoreTone(item.final_score);
    const tr = node('tr');
    tr.dataset.id = item.id;
    tr.dataset.outcome = outcome;
    tr.append(
      labelled('Candidate', candidateText(item.candidate), 'who'),
      labelled('Role', item.job_role || item.title || '-'),
      labelled('Created', item.created_at ? new Date(item.created_at).toLocaleString() : '-'),
      labelled('Status', status),
      labelled('Score', score, 'num'),
      labelled('Actions', rowActions(item, state.user, handlers), 'actions'),
    );
    body.append(tr);
  }
  $('empty').hidden = (list.items || []).length > 0;
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $('page-info').textContent = `Page ${state.page} of ${pages} · ${state.total} interviews`;
  $('prev').disabled = state.page <= 1;
  $('next').disabled = state.page >= pages;
}
