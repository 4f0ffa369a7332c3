/*
 * A row's actions, by outcome: copy the candidate's link and watch live (pending, live),
 * replay (started and over), report (a report exists), delete (its creator or an admin, not
 * live; after a confirm step). The recruiter never gets the candidate's room to open.
 */

import { $, node } from '../shared/dom.js';

const enc = encodeURIComponent;

/** The spectator page of an interview, for its staff (the spectator token: never the candidate's). */
export const watchUrl = (id, spectatorToken) => `/spectate/${enc(id)}?token=${enc(spectatorToken)}`;

// a name starts with the visible text (voice control users say what they see)
function link(text, href, about) {
  const a = node('a', 'btn btn-ghost btn-small', text);
  a.href = href;
  a.setAttribute('aria-label', `${text} (${about})`);
  return a;
}

function button(text, about, onClick, className = 'btn btn-ghost btn-small') {
  const b = node('button', className, text);
  b.type = 'button';
  b.setAttribute('aria-label', `${text} (${about})`);
  b.addEventListener('click', onClick);
  return b;
}

/** The room's URL on the clipboard, or shown selected to copy by hand. */
export async function copyLink(url, cell, announce) {
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(url);
    announce('The candidate\'s link is copied.');
  } catch {
    let input = cell.querySelector('input.link-copy');
    if (!input) {
      input = node('input', 'link-copy');
      input.readOnly = true;
      input.setAttribute('aria-label', 'The candidate\'s link');
      cell.append(input);
    }
    input.value = url;
    input.focus();
    input.select();
    const copied = document.execCommand && document.execCommand('copy');
    announce(copied ? 'The candidate\'s link is copied.'
      : 'The link is selected: press Ctrl+C (or Cmd+C) to copy it.');
  }
}

export function rowActions(item, user, { announce, askDelete }) {
  const box = node('div', 'row-actions');
  const outcome = item.outcome;
  const role = item.job_role || item.title || 'interview';
  const who = item.candidate ? (item.candidate.name || item.candidate.email) : 'no candidate named';
  const about = `${who}, ${role}`;
  const upcoming = outcome === 'pending' || outcome === 'live';
  if (upcoming && item.room_url) {
    box.append(button('Copy link', about,
      () => copyLink(item.room_url, box, announce)));
  }
  if (upcoming && item.spectator_token) {
    box.append(link(outcome === 'live' ? 'Watch live' : 'Watch',
      watchUrl(item.id, item.spectator_token), about));
  }
  if (!upcoming && item.started_at) {
    const token = item.spectator_token ? `?token=${enc(item.spectator_token)}` : '';
    box.append(link('Replay', `/replay/${enc(item.id)}${token}`, about));
  }
  if (item.final_score != null) {
    box.append(link('Report', `/report/${enc(item.id)}`, about));
  }
  const mayDelete = user && (user.role === 'admin' || user.id === item.created_by);
  if (mayDelete && outcome !== 'live') {
    box.append(button('Delete', about,
      () => askDelete(item, `${role} interview with ${who}`), 'btn btn-danger btn-small'));
  }
  return box;
}

/** The confirm step of a delete: resolves true when the person chose Delete. */
export function confirmDelete(what) {
  const dialog = $('confirm-delete');
  $('confirm-text').textContent = `The ${what}, its recording and its report will be gone for good.`;
  $('confirm-error').textContent = '';
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
  });
}
