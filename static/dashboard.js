/*
 * The candidate's dashboard (served at /dashboard): log in, list my interviews, show
 * progress; the entry of dashboard.html. The modules, in dashboard/: api.js (the API calls),
 * login.js (log in / out), views.js (stats, progress chart, interviews table). The access
 * token is kept in localStorage (shared/access-token.js; the report page reads it too).
 */

import { accessToken, forgetAccess, storedUser } from './shared/access-token.js';
import { installChartCss } from './shared/charts.js';
import { $, notice } from './shared/dom.js';
import { interviewsPage, myStats, Unauthorized } from './dashboard/api.js';
import { initLogin, logout, showLogin } from './dashboard/login.js';
import { drawInterviews, drawStats, state } from './dashboard/views.js';

async function loadPage() {
  drawInterviews(await interviewsPage(state.page));
}

async function load() {
  if (!accessToken()) {
    showLogin();
    return;
  }
  notice('');
  try {
    const [stats, list] = await Promise.all([myStats(), interviewsPage(state.page)]);
    const user = storedUser();
    if (user) {
      $('user').textContent = user.full_name || user.username || user.email || '';
      $('user').hidden = false;
    }
    $('logout').hidden = false;
    $('login').hidden = true;
    $('content').hidden = false;
    drawStats(stats);
    drawInterviews(list);
  } catch (err) {
    if (err instanceof Unauthorized) {
      forgetAccess({ keepUser: true });
      showLogin('Your session has ended; please log in again.');
    } else {
      notice(`Could not load your interviews: ${err.message || err}`);
    }
  }
}

function init() {
  installChartCss();
  initLogin(load);
  $('prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadPage().catch((e) => notice(e.message)); });
  $('next').addEventListener('click', () => { state.page += 1; loadPage().catch((e) => notice(e.message)); });
  load();
}

window.dashboard = { reload: load, logout };
init();
