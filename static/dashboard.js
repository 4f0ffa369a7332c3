/*
 * The dashboard (served at /dashboard): log in, list the interviews I may see with their
 * outcome and actions, the summary of the same rows, and a candidate's progress; the entry of
 * dashboard.html. The modules, in dashboard/: api.js (the API calls), login.js (log in / out),
 * views.js (summary, interviews table), actions.js (a row's actions, delete's confirm step),
 * progress.js (a candidate's scores over time). The access token is kept in localStorage
 * (shared/access-token.js; the report page reads it too).
 */

import { accessToken, forgetAccess, storedUser } from './shared/access-token.js';
import { installChartCss } from './shared/charts.js';
import { $, notice } from './shared/dom.js';
import { deleteInterview, interviewsPage, Unauthorized } from './dashboard/api.js';
import { confirmDelete } from './dashboard/actions.js';
import { initLogin, logout, showLogin } from './dashboard/login.js';
import { drawProgress, initProgress } from './dashboard/progress.js';
import { drawInterviews, drawStats, state } from './dashboard/views.js';

const announce = (text) => { $('announce').textContent = ''; setTimeout(() => { $('announce').textContent = text; }, 30); };

async function askDelete(item, what) {
  if (!(await confirmDelete(what))) return;
  try {
    await deleteInterview(item.id);
    announce(`The ${what} is deleted.`);
    await load();
    $('list-title').focus();
  } catch (err) {
    notice(`Could not delete the interview: ${err.message}.`, true);
  }
}

const handlers = { announce, askDelete };

function draw(list) {
  if (state.page > 1 && !(list.items || []).length && list.total) {
    state.page = Math.max(1, Math.ceil(list.total / list.page_size));
    return loadPage();
  }
  drawStats(list.summary);
  drawInterviews(list, handlers);
  drawProgress(list.summary);
  return null;
}

async function loadPage() {
  try {
    await draw(await interviewsPage(state.page));
  } catch (err) {
    failed(err);
  }
}

function failed(err) {
  if (err instanceof Unauthorized) {
    forgetAccess({ keepUser: true });
    showLogin('Your session has ended; please log in again.');
  } else {
    notice(`Could not load your interviews: ${err.message}.`, true);
  }
}

async function load() {
  if (!accessToken()) {
    showLogin();
    return;
  }
  notice('');
  try {
    const list = await interviewsPage(state.page);
    const user = storedUser();
    state.user = user;
    if (user) {
      $('user').textContent = user.full_name || user.username || user.email || '';
      $('user').hidden = false;
    }
    const staff = user && (user.role === 'recruiter' || user.role === 'admin');
    $('new-interview').hidden = !staff;
    $('jobs-link').hidden = !staff;
    $('logout').hidden = false;
    $('login').hidden = true;
    $('content').hidden = false;
    await draw(list);
  } catch (err) {
    failed(err);
  }
}

function init() {
  installChartCss();
  initLogin(load);
  initProgress();
  $('list-title').tabIndex = -1;
  $('prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadPage(); });
  $('next').addEventListener('click', () => { state.page += 1; loadPage(); });
  load();
}

window.dashboard = { reload: load, logout };
init();
