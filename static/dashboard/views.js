/*
 * The dashboard's content: the stat boxes and progress chart, and the interviews table.
 */

import { lineChart } from '../shared/charts.js';
import { $, node, statBox } from '../shared/dom.js';
import { fmt, scoreTone } from '../shared/format.js';
import { PAGE_SIZE } from './api.js';

export const state = { page: 1, total: 0 };

export function drawStats(stats) {
  const items = [
    [fmt(stats.total), 'interviews'],
    [fmt(stats.completed), 'completed'],
    [fmt(stats.average_score), 'average score'],
    [fmt(stats.best_score), 'best score'],
    [fmt(stats.average_knowledge), 'average knowledge'],
    [fmt(stats.average_confidence), 'average confidence'],
  ];
  $('stats').replaceChildren(...items.map(([value, label]) => statBox(value, label, 'panel stat')));
  const trend = (stats.trend || []).filter((p) => p.final_score != null && p.date);
  lineChart($('progress'), trend.map((p) => [new Date(p.date), p.final_score]), {
    title: 'Final score of each completed interview', yMin: 0, yMax: 100,
    band: { from: 70, to: 100 }, showPoints: true, tone: scoreTone,
    links: (i) => `/report/${encodeURIComponent(trend[i].id)}`,
    empty: 'Complete an interview to see your progress.',
  });
}

function cell(child, className) {
  const td = node('td', className);
  td.append(child);
  return td;
}

function link(text, href) {
  const a = node('a', null, text);
  a.href = href;
  return a;
}

export function drawInterviews(list) {
  const body = $('interviews');
  body.replaceChildren();
  state.total = list.total || 0;
  for (const item of list.items || []) {
    const when = item.started_at || item.created_at;
    const status = node('span', 'badge', item.status);
    status.dataset.status = item.status || '';
    const final = node('b', null, fmt(item.final_score));
    final.dataset.tone = scoreTone(item.final_score);
    const links = node('td');
    if (item.final_score != null || item.status === 'completed' || item.status === 'live') {
      links.append(link('Report', `/report/${encodeURIComponent(item.id)}`));
    }
    if (item.status === 'pending' && item.room_url) links.append(link('Start', item.room_url));
    const tr = node('tr');
    tr.append(
      node('td', null, when ? new Date(when).toLocaleString() : '—'),
      node('td', null, item.job_role || item.title || '—'),
      cell(status),
      cell(final, 'num'),
      node('td', 'num', fmt(item.knowledge_score)),
      node('td', 'num', fmt(item.confidence_score)),
      node('td', null, item.performance_level || '—'),
      links,
    );
    body.append(tr);
  }
  $('empty').hidden = (list.items || []).length > 0;
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $('page-info').textContent = `Page ${state.page} of ${pages} · ${state.total} interviews`;
  $('prev').disabled = state.page <= 1;
  $('next').disabled = state.page >= pages;
}
