/*
 * Toasts in the page's #toasts box (room and spectator). Repeated identical toasts collapse
 * into one with a counter; at most four are shown.
 *
 *   toast(code, message, kind = 'error' | 'info', timeoutMs = 10000)   0: stays until dismissed
 *
 * `code` is for programs (data-code, and collapsing repeats); what the person reads is a title
 * in plain words (toastTitle): a known code's, a code that already is words, or "Problem" /
 * "Note" - never a raw code such as `closed 4403` or `bad_text`.
 */

import { $, node } from './dom.js';

const MAX_TOASTS = 4;

const TITLES = Object.freeze({
  microphone: 'Microphone', camera: 'Camera', connection: 'Connection', offline: 'Connection',
  server: 'Server problem', network: 'Connection', stop: 'Ending the interview', link: 'Link', video: 'Video',
});

/** The visible title of a toast's `code`. */
export function toastTitle(code, kind = 'error') {
  const c = String(code || '').trim();
  if (TITLES[c.toLowerCase()]) return TITLES[c.toLowerCase()];
  if (/^closed\b/i.test(c)) return 'Connection';
  // words already ("Not sent"): letters and spaces only, no digits or underscores
  if (/^[A-Za-z][A-Za-z ]{0,30}$/.test(c) && /[A-Z ]/.test(c)) return c;
  return kind === 'error' ? 'Problem' : 'Note';
}

export function toast(code, message, kind = 'error', timeoutMs = 10000) {
  const box = $('toasts');
  for (const t of box.children) {
    if (t.dataset.code === code && t.dataset.message === message) {
      const n = Number(t.dataset.count || 1) + 1;
      t.dataset.count = String(n);
      t.querySelector('.toast-count').textContent = `×${n}`;
      clearTimeout(Number(t.dataset.timer));
      if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
      return t;
    }
  }
  while (box.children.length >= MAX_TOASTS) box.firstElementChild.remove();
  const t = node('div', `toast toast-${kind}`);
  t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  t.dataset.code = code;
  t.dataset.message = message;
  const close = node('button', 'toast-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => t.remove());
  t.append(node('strong', 'toast-code', toastTitle(code, kind)), node('span', 'toast-message', message),
    node('span', 'toast-count'), close);
  box.append(t);
  if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
  return t;
}
