/*
 * The jobs page's list: one card per job (title, skills, experience, created, questions) with
 * its actions: a new interview for the job, and edit and delete for its creator or an admin.
 */

import { node } from '../shared/dom.js';
import { plural } from '../shared/format.js';

/** "7 Dec 2026" of an ISO date-time ('' when missing). */
export function day(iso) {
  const when = iso ? new Date(iso) : null;
  return when && !Number.isNaN(when.getTime())
    ? when.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '';
}

function action(tag, text, about, className) {
  const el = node(tag, className, text);
  if (tag === 'button') el.type = 'button';
  el.setAttribute('aria-label', `${text} (${about})`);
  return el;
}

function jobCard(job, user, { onEdit, onDelete }) {
  const li = node('li', 'job');
  li.dataset.id = String(job.id);
  const head = node('div', 'job-head');
  head.append(node('h3', 'job-title', job.title));
  const facts = node('p', 'job-facts');
  const created = day(job.created_at);
  const bits = [job.experience, created && `created ${created}`,
    job.questions && job.questions.length ? plural(job.questions.length, 'own question') : '']
    .filter(Boolean);
  facts.textContent = bits.join(' · ');
  head.append(facts);
  li.append(head);
  if (job.skills && job.skills.length) {
    const skills = node('ul', 'skills');
    skills.setAttribute('aria-label', 'Skills');
    for (const s of job.skills) skills.append(node('li', 'skill', s));
    li.append(skills);
  }
  const actions = node('div', 'row-actions');
  const start = action('a', 'New interview for this job', job.title, 'btn btn-primary btn-small');
  start.href = `/interviews/new?job=${encodeURIComponent(job.id)}`;
  actions.append(start);
  if (user && (user.role === 'admin' || user.id === job.created_by)) {
    const edit = action('button', 'Edit', job.title, 'btn btn-ghost btn-small');
    edit.addEventListener('click', () => onEdit(job, edit));
    const del = action('button', 'Delete', job.title, 'btn btn-danger btn-small');
    del.addEventListener('click', () => onDelete(job));
    actions.append(edit, del);
  }
  li.append(actions);
  return li;
}

/** Draw `list` ({items, page, page_size, total}) into #jobs and its pager. */
export function drawJobs(list, user, handlers, els) {
  const items = list.items || [];
  els.jobs.replaceChildren(...items.map((job) => jobCard(job, user, handlers)));
  els.empty.hidden = items.length > 0;
  const pages = Math.max(1, Math.ceil((list.total || 0) / (list.page_size || 1)));
  els.pager.hidden = pages <= 1;
  els.info.textContent = `Page ${list.page} of ${pages}`;
  els.prev.disabled = list.page <= 1;
  els.next.disabled = list.page >= pages;
}

/** The confirm step of a delete: resolves true when the person chose Delete. */
export function confirmDelete(dialog, text, job) {
  text.textContent = `The job "${job.title}" will be gone for good. Interviews already made from it stay.`;
  dialog.returnValue = '';
  dialog.showModal();
  dialog.querySelector('#confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
  });
}
