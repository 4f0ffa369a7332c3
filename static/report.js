/*
 * The interview report page (served at /report/{id}?token=CANDIDATE_OR_SPECTATOR_TOKEN): the
 * entry of report.html. It fetches GET /api/interviews/{id}/report with the page's ?token=,
 * or else with the bearer access token the dashboard keeps (shared/access-token.js), and
 * draws it with the modules in report/: scores.js (scores, categories, lists),
 * questions.js (the question table), trends.js (the charts).
 */

import { accessToken } from './shared/access-token.js';
import { installChartCss } from './shared/charts.js';
import { $, notice } from './shared/dom.js';
import { fmt } from './shared/format.js';
import { errorMessage, interviewApi, pathId, queryParam } from './shared/location.js';
import { drawQuestions } from './report/questions.js';
import { drawCategories, drawLists, drawScores } from './report/scores.js';
import { drawTrends } from './report/trends.js';

const interviewId = pathId('report');
const token = queryParam('token');

const LOAD_ERRORS = {
  401: 'Please log in on the dashboard, or open the link with its token.',
  403: 'You may not see this report (invalid token).',
  404: 'This interview does not exist.',
  409: 'No answer has been evaluated yet: the report appears after the first answer.',
};

function subtitle(r) {
  const i = r.interview || {};
  const parts = [i.title || i.job_role || 'Interview'];
  if (i.job_role && i.title) parts.push(i.job_role);
  const when = i.started_at || i.created_at;
  if (when) parts.push(new Date(when).toLocaleString());
  parts.push(`${r.questions_answered ?? 0} of ${r.questions_total ?? 0} questions answered`);
  $('subtitle').textContent = parts.join(' · ');
}

async function load() {
  if (!interviewId) {
    notice('This link is incomplete: it needs an interview id.', true);
    return;
  }
  const headers = {};
  const access = accessToken();
  if (!token && access) headers.Authorization = `Bearer ${access}`;
  let res;
  try {
    res = await fetch(interviewApi(interviewId, '/report', token), { headers });
  } catch (err) {
    notice(`Could not reach the server (${err.message || err}).`, true);
    return;
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    notice(LOAD_ERRORS[res.status] || `Could not load the report: ${errorMessage(body, res.statusText)}`,
      res.status !== 409);
    $('subtitle').textContent = '';
    return;
  }
  render(body);
}

export function render(r) {
  subtitle(r);
  if (r.partial) notice('Partial report: the interview has not finished yet (or ended abruptly).');
  drawScores(r);
  drawCategories(r);
  drawLists(r);
  drawQuestions(r);
  drawTrends(r);
  $('page').setAttribute('aria-busy', 'false');
  document.title = `Interview report · ${fmt(r.final_score)}/100`;
}

installChartCss();
window.reportPage = { render, reload: load };
load();
