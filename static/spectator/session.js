/*
 * The session as the spectator sees it: waiting -> live -> ended (#session-state, the body's
 * data-session), the session clock, and the end card.
 */

import { $, node } from '../shared/dom.js';
import { formatClock } from '../shared/format.js';
import { disableAsk, removeAllApprovals } from './controls.js';
import { spectator } from './state.js';

const SESSION_TEXT = { waiting: 'Waiting for the candidate', live: 'Live', ended: 'Ended' };

export function setSession(session) {
  if (spectator.session === session || spectator.session === 'ended') return;
  spectator.session = session;
  document.body.dataset.session = session;
  const el = $('session-state');
  el.dataset.state = session;
  el.textContent = SESSION_TEXT[session];
  if (session === 'ended') {
    $('ended').hidden = false;
    if (!$('ended-text').textContent) $('ended-text').textContent = 'The candidate has left the interview.';
    $('question-label').textContent = 'Last question';
    removeAllApprovals();
    disableAsk();
  }
}

export function onState(event) {
  if (event.state === 'listening') setSession('live');
  else if (event.state === 'stopped' || event.state === 'completed') setSession('ended');
  else if (event.state === 'ready' && spectator.session === 'waiting') {
    $('session-state').textContent = 'Candidate connected';
  }
}

/** The candidate's connection dropped (reload, network, server restart): the session waits. */
export function onCandidateAway(event) {
  if (spectator.session === 'ended') return;
  const el = $('session-state');
  el.dataset.state = 'away';
  const wait = Math.round(Number(event.grace_s) || 0);
  const why = event.reason === 'server_restart' ? 'the server is restarting' : 'connection lost';
  el.textContent = `Candidate disconnected (${why}); waiting${wait ? ` up to ${wait} s` : ''}`;
}

export function onCandidateBack() {
  if (spectator.session === 'ended') return;
  const el = $('session-state');
  el.dataset.state = spectator.session;
  el.textContent = SESSION_TEXT[spectator.session];
}

export function onCompleted(event) {
  setSession('ended');
  const parts = [];
  if (event.final_score != null) parts.push(`Final score ${Math.round(Number(event.final_score))}/100`);
  if (event.performance_level) parts.push(String(event.performance_level));
  if (event.questions_total) {
    parts.push(`${event.questions_answered ?? 0} of ${event.questions_total} questions answered`);
  }
  const text = $('ended-text');
  text.replaceChildren(parts.join(' · ') || 'The interview is complete.');
  if (event.report_url) {
    const a = node('a', 'ended-link', 'Open the report');
    const url = new URL(event.report_url, location.origin);
    if (spectator.token) url.searchParams.set('token', spectator.token);
    a.href = url.pathname + url.search;
    text.append(' ', a);
  }
}

/** #elapsed: the newest session time, running on between events while live (at most a few
 * seconds: the audio clock may stall). */
export function renderClock() {
  let t = spectator.clockT;
  if (spectator.session === 'live' && spectator.clockAt) {
    t += Math.min(5, (performance.now() - spectator.clockAt) / 1000);
  }
  const text = formatClock(t);
  const el = $('elapsed');
  if (el.textContent !== text) el.textContent = text;
}

const QUALITY_TEXT = {
  1: 'Reduced quality (server busy): camera analysed at 2 fps',
  2: 'Reduced quality (server busy): no live captions, finals only',
  3: 'Audio only (server busy): camera not analysed; vision metrics of this time are left out of the report',
};

/** A `quality` event: the session's level on the degradation ladder. */
export function onQuality(event) {
  let el = $('quality-state');
  if (!el) {
    el = document.createElement('p');
    el.id = 'quality-state';
    el.className = 'quality-state';
    el.setAttribute('role', 'status');
    $('session-state').after(el);
  }
  const text = QUALITY_TEXT[Number(event.level)];
  el.hidden = !text;
  el.textContent = text ? `${text} (${event.reason}).` : '';
}
