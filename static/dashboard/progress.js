/*
 * A candidate's progress over time: pick a candidate (the list summary's `candidates`), and
 * their interviews' final (content) scores and delivery scores are drawn by date.
 */

import { lineChart } from '../shared/charts.js';
import { $, node } from '../shared/dom.js';
import { fmt, scoreTone } from '../shared/format.js';
import { candidateInterviews } from './api.js';

const progress = { picked: '' };

function when(item) {
  return new Date(item.ended_at || item.started_at || item.created_at);
}

const shortDate = (x) => new Date(x).toLocaleDateString([], { month: 'short', day: 'numeric' });

function draw(items) {
  const scored = items.filter((i) => i.final_score != null || i.confidence_score != null)
    .sort((a, b) => when(a) - when(b));
  const final = scored.filter((i) => i.final_score != null);
  const delivery = scored.filter((i) => i.confidence_score != null);
  lineChart($('progress-score'), final.map((i) => [when(i), i.final_score]), {
    title: 'Final score of each interview, by date', yMin: 0, yMax: 100,
    band: { from: 70, to: 100 }, showPoints: true, tone: scoreTone, xLabel: shortDate,
    empty: 'No scored interview yet.',
  });
  lineChart($('progress-delivery'), delivery.map((i) => [when(i), i.confidence_score]), {
    title: 'Delivery score of each interview, by date', yMin: 0, yMax: 100,
    band: { from: 70, to: 100 }, showPoints: true, tone: scoreTone, xLabel: shortDate,
    empty: 'No delivery measured yet.',
  });
  const note = [`${items.length} interview${items.length === 1 ? '' : 's'}`];
  if (final.length > 1) {
    note.push(`final score ${fmt(final[0].final_score)} first, ${fmt(final.at(-1).final_score)} latest`);
  } else if (final.length === 1) note.push(`final score ${fmt(final[0].final_score)}`);
  $('progress-note').textContent = `${note.join('; ')}. Final score (top) and delivery (below), 0-100.`;
}

async function pick(id) {
  progress.picked = id;
  if (!id) {
    $('progress-note').textContent = 'Pick a candidate to see their scores over time.';
    $('progress-score').replaceChildren();
    $('progress-delivery').replaceChildren();
    return;
  }
  $('progress-note').textContent = 'Loading…';
  try {
    const list = await candidateInterviews(id);
    if (progress.picked === id) draw(list.items || []);
  } catch (err) {
    $('progress-note').textContent = `Could not load this candidate's interviews: ${err.message}.`;
    $('progress-note').classList.add('form-error');
  }
}

/** Fill the picker from the summary's candidates (one: picked at once). */
export function drawProgress(summary) {
  const select = $('candidate-pick');
  const people = (summary && summary.candidates) || [];
  const keep = progress.picked;
  select.replaceChildren(node('option', null, people.length ? 'Choose a candidate' : 'No named candidates yet'));
  select.firstChild.value = '';
  for (const c of people) {
    const label = c.name && c.email && c.name !== c.email ? `${c.name} (${c.email})` : c.name || c.email;
    const option = node('option', null, `${label} · ${c.interviews}`);
    option.value = String(c.id);
    select.append(option);
  }
  const wanted = people.some((c) => String(c.id) === keep) ? keep
    : people.length === 1 ? String(people[0].id) : '';
  select.value = wanted;
  $('progress-note').classList.remove('form-error');
  pick(wanted);
}

export function initProgress() {
  $('candidate-pick').addEventListener('change', (e) => pick(e.target.value));
}
