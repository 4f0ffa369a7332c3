/*
 * The recruiter pages' gate: who may use the page. A signed-out visitor gets a sign-in link
 * (back to this page afterwards), a candidate a plain "only recruiters" line, never a raw error.
 */

import { $, node } from '../shared/dom.js';
import { OFFLINE } from '../accounts/forms.js';
import { recruiter } from './api.js';

function signInLink() {
  const next = location.pathname + location.search;
  const a = node('a', null, 'Sign in');
  a.href = `/signin?next=${encodeURIComponent(next)}`;
  return a;
}

/** Show why the page cannot be used in #gate (and hide `content`). */
export function showGate(problem, { what, content }) {
  const box = $('gate');
  const text = $('gate-text');
  const more = $('gate-more');
  more.replaceChildren();
  if (problem === 'signed-out') {
    text.textContent = `Please sign in as a recruiter to ${what}.`;
    more.append(signInLink(), ' or ', Object.assign(node('a', null, 'create a recruiter account'),
      { href: '/signup' }), '.');
  } else if (problem === 'candidate') {
    text.textContent = `Only recruiters can ${what}.`;
    more.append(Object.assign(node('a', null, 'Back to the dashboard'), { href: '/dashboard' }));
  } else {
    text.textContent = OFFLINE;
    more.append(Object.assign(node('a', null, 'Try again'), { href: location.href }));
  }
  if (content) content.hidden = true;
  box.hidden = false;
  box.focus();
}

/** The signed-in recruiter (or admin), or null after showing the gate. */
export async function requireRecruiter(options) {
  const { user, problem } = await recruiter();
  if (user) return user;
  showGate(problem, options);
  return null;
}
