/*
 * Toasts in the page's #toasts box (room and spectator). Repeated identical toasts collapse
 * into one with a counter; at most four are shown.
 *
 *   toast(code, message, kind = 'error' | 'info', timeoutMs = 10000)   0: stays until dismissed
 */

import { $, node } from './dom.js';

const MAX_TOASTS = 4;

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
  t.append(node('strong', 'toast-code', code), node('span', 'toast-message', message),
    node('span', 'toast-count'), close);
  box.append(t);
  if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
  return t;
}
