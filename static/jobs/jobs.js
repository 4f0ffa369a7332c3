/*
 * The jobs page (/jobs, jobs.html) of a signed-in recruiter: the saved jobs (list.js), a job's
 * editor (title, description, skills, experience and its own questions: POST or PUT /api/jobs),
 * delete after a confirm step, and a new interview for a job (/interviews/new?job=ID).
 */

import { $ } from '../shared/dom.js';
import { OFFLINE, plainError } from '../accounts/forms.js';
import { fieldWords } from '../interviews/fields.js';
import { questionsEditor } from '../interviews/questions-editor.js';
import { deleteJob, listJobs, saveJob } from './api.js';
import { requireRecruiter, showGate } from './gate.js';
import { confirmDelete, drawJobs } from './list.js';

const PAGE_SIZE = 20;
const FIELDS = ['title', 'description', 'skills', 'experience'];
const form = $('job-form');
const state = { user: null, page: 1, editing: null, opener: null };
const questions = questionsEditor($('questions'), $('add-question'));
const GATE = { what: 'manage jobs', content: $('list') };

const announce = (text) => {
  $('announce').textContent = '';
  setTimeout(() => { $('announce').textContent = text; }, 30);
};

function showFieldErrors(fields = {}) {
  for (const name of FIELDS) {
    const text = fields[name] ? fieldWords(name, fields[name]) : '';
    $(`${name}-error`).textContent = text;
    if (text) $(name).setAttribute('aria-invalid', 'true');
    else $(name).removeAttribute('aria-invalid');
  }
  $('questions-error').textContent = fields.questions ? fieldWords('questions', fields.questions) : '';
  const shown = FIELDS.filter((n) => fields[n]).length + questions.showErrors(fields).length
    + (fields.questions ? 1 : 0);
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return shown;
}

function openEditor(job = null, opener = null) {
  state.editing = job;
  state.opener = opener;
  $('job-form-title').textContent = job ? `Edit job: ${job.title}` : 'New job';
  form.elements.title.value = job ? job.title : '';
  form.elements.description.value = job ? job.description || '' : '';
  form.elements.skills.value = job ? (job.skills || []).join(', ') : '';
  form.elements.experience.value = job ? job.experience || '' : '';
  questions.setValues(job ? job.questions : []);
  showFieldErrors();
  $('form-error').textContent = '';
  form.hidden = false;
  $('new-job').hidden = true;
  $('title').focus();
}

function closeEditor() {
  form.hidden = true;
  $('new-job').hidden = false;
  const back = state.opener && state.opener.isConnected ? state.opener : $('new-job');
  state.editing = null;
  back.focus();
}

async function load() {
  $('list-error').textContent = '';
  try {
    const res = await listJobs(state.page, PAGE_SIZE);
    if (res.status === 401) return showGate('signed-out', GATE);
    if (!res.ok) {
      $('list-error').textContent = `The jobs could not be loaded. ${plainError(res.status, res.body)}`;
      return;
    }
    if (state.page > 1 && !res.body.items.length && res.body.total) {
      state.page = Math.ceil(res.body.total / PAGE_SIZE);
      return load();
    }
    drawJobs(res.body, state.user, { onEdit: openEditor, onDelete: remove }, {
      jobs: $('jobs'), empty: $('empty'), pager: $('pager'), info: $('page-info'),
      prev: $('prev'), next: $('next'),
    });
  } catch {
    $('list-error').textContent = OFFLINE;
  }
  $('list').dataset.ready = '1';
}

async function save(event) {
  event.preventDefault();
  const error = $('form-error');
  error.textContent = '';
  const own = questions.values();
  const job = {
    title: form.elements.title.value.trim(),
    description: form.elements.description.value.trim(),
    skills: form.elements.skills.value.split(',').map((s) => s.trim()).filter(Boolean),
    experience: form.elements.experience.value.trim(),
    questions: own.length ? own : null,
  };
  if (!job.title) {
    showFieldErrors({ title: 'required' });
    error.textContent = 'Please correct the fields marked above.';
    return;
  }
  const button = $('save-job');
  button.disabled = true;
  try {
    const res = await saveJob(state.editing && state.editing.id, job);
    if (res.status === 401) return showGate('signed-out', GATE);
    if (!res.ok) {
      const shown = showFieldErrors((res.body.error && res.body.error.fields) || {});
      error.textContent = res.status === 403 ? 'Only the recruiter who created this job (or an admin) can change it.'
        : res.status === 404 ? 'This job no longer exists.'
          : shown ? 'Please correct the fields marked above.' : plainError(res.status, res.body);
      if (!shown) error.focus();
      return;
    }
    const made = !state.editing;
    state.opener = null;
    if (made) state.page = 1;
    closeEditor();
    await load();
    announce(`The job "${res.body.title}" is ${made ? 'saved' : 'updated'}.`);
    const card = $('jobs').querySelector(`li[data-id="${res.body.id}"] a`);
    if (card) card.focus();
  } catch {
    error.textContent = OFFLINE;
    error.focus();
  } finally {
    button.disabled = false;
  }
}

async function remove(job) {
  if (!(await confirmDelete($('confirm-delete'), $('confirm-text'), job))) return;
  try {
    const res = await deleteJob(job.id);
    if (res.status === 401) return showGate('signed-out', GATE);
    if (!res.ok && res.status !== 404) {
      $('list-error').textContent = res.status === 403
        ? 'Only the recruiter who created this job (or an admin) can delete it.'
        : `The job could not be deleted. ${plainError(res.status, res.body)}`;
      return;
    }
    if (state.editing && state.editing.id === job.id) closeEditor();
    await load();
    announce(`The job "${job.title}" is deleted.`);
    $('list-title').focus();
  } catch {
    $('list-error').textContent = OFFLINE;
  }
}

async function init() {
  form.addEventListener('submit', save);
  $('cancel-job').addEventListener('click', closeEditor);
  $('new-job').addEventListener('click', () => openEditor(null, $('new-job')));
  $('prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); load(); });
  $('next').addEventListener('click', () => { state.page += 1; load(); });
  state.user = await requireRecruiter(GATE);
  $('loading').hidden = true;
  if (!state.user) return;
  $('new-job').hidden = false;
  $('list').hidden = false;
  await load();
}

init();
