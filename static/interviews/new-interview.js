/*
 * The new-interview page (/interviews/new, new-interview.html) of a signed-in recruiter: a role
 * or a saved job (?job=ID preselects one), difficulty, kind and number of questions, the
 * recruiter's own questions with key points, the candidate's email, invited recruiters and
 * approving follow-ups. POST /api/interviews; the API's field errors beside their fields; on
 * success the candidate's room link to copy (never the spectator token) and the watch link.
 * Modules: fields.js (body, error words), questions-editor.js (own questions), ../jobs/api.js.
 */

import { $, node } from '../shared/dom.js';
import { queryParam } from '../shared/location.js';
import { OFFLINE, plainError } from '../accounts/forms.js';
import { watchUrl } from '../dashboard/actions.js';
import { call, getJob, listJobs } from '../jobs/api.js';
import { requireRecruiter, showGate } from '../jobs/gate.js';
import { fieldWords, FIELDS, readForm, showFieldWords } from './fields.js';
import { questionsEditor } from './questions-editor.js';

const form = $('interview-form');
const jobs = new Map(); // id -> job
const GATE = { what: 'create interviews', content: form };

const questions = questionsEditor($('questions'), $('add-question'), { onChange: updateHints });

function chosenJob() {
  return jobs.get(Number(form.elements.job_id.value)) || null;
}

/** The number of questions follows the own questions (or the job's) when there are some. */
function updateHints() {
  const job = chosenJob();
  const count = questions.count;
  const input = $('num_questions');
  const jobQuestions = job && job.questions ? job.questions.length : 0;
  input.disabled = count > 0 || jobQuestions > 0;
  $('num_questions-hint').textContent = count > 0
    ? 'Your own questions set the number: the interview asks each of them.'
    : jobQuestions > 0
      ? `The job "${job.title}" has ${jobQuestions} question${jobQuestions === 1 ? '' : 's'} of its own: the interview asks them, unless you write your own below.`
      : 'From 1 to 10.';
}

function addJobOption(job) {
  jobs.set(job.id, job);
  const skills = (job.skills || []).slice(0, 3).join(', ');
  const option = node('option', null, skills ? `${job.title} (${skills})` : job.title);
  option.value = String(job.id);
  form.elements.job_id.append(option);
}

async function loadJobs() {
  const res = await listJobs();
  if (res.ok) for (const job of res.body.items || []) addJobOption(job);
  const wanted = Number(queryParam('job'));
  if (wanted && !jobs.has(wanted)) {
    const one = await getJob(wanted);
    if (one.ok) addJobOption(one.body);
  }
  if (wanted && jobs.has(wanted)) form.elements.job_id.value = String(wanted);
  else if (wanted) $('job_id-error').textContent = 'The job of this link no longer exists. Please choose another.';
  if (!res.ok) $('job_id-error').textContent = 'Your saved jobs could not be loaded. You can still write a role.';
  updateHints();
}

function showErrors(fields, problems = {}) {
  const words = { ...problems };
  const others = [];
  for (const [name, message] of Object.entries(fields)) {
    if (FIELDS.includes(name)) words[name] = fieldWords(name, message);
    else if (name === 'questions') words.questions = fieldWords(name, message);
    else if (!name.startsWith('questions[')) others.push(fieldWords(name, message));
  }
  const shown = [...showFieldWords(words), ...questions.showErrors(fields)];
  $('questions-error').textContent = words.questions || '';
  if (words.questions) shown.push('questions');
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return { shown, others };
}

function showCreated(interview) {
  form.hidden = true;
  $('created').hidden = false;
  const who = interview.candidate_id && form.elements.candidate_email.value.trim();
  $('created-about').textContent = `${interview.job_role || interview.title || 'Interview'}: `
    + `${interview.num_questions} question${interview.num_questions === 1 ? '' : 's'}`
    + (who ? `, for ${who}.` : '.');
  $('room-link').value = interview.room_url;
  $('watch-link').href = watchUrl(interview.id, interview.spectator_token);
  const warnings = interview.warnings || [];
  $('warnings').replaceChildren(...warnings.map((w) => node('li', null, w.message)));
  $('warnings').hidden = !warnings.length;
  document.title = 'Interview created';
  $('created-title').focus();
}

async function submit(event) {
  event.preventDefault();
  const error = $('form-error');
  error.textContent = '';
  const { body, problems } = readForm(form, questions.values(), Boolean(chosenJob()?.questions?.length));
  if (Object.keys(problems).length) {
    showErrors({}, problems);
    error.textContent = 'Please correct the fields marked above.';
    return;
  }
  const button = $('create');
  button.disabled = true;
  try {
    const res = await call('POST', '/api/interviews', body);
    if (res.ok) {
      showCreated(res.body);
      return;
    }
    if (res.status === 401) return showGate('signed-out', GATE);
    const fields = (res.body.error && res.body.error.fields) || {};
    const { shown, others } = showErrors(fields);
    error.textContent = res.status === 403 ? 'Only recruiters can create interviews with these settings.'
      : [shown.length ? 'Please correct the fields marked above.' : plainError(res.status, res.body), ...others].join(' ');
    if (!shown.length) error.focus();
  } catch {
    error.textContent = OFFLINE;
    error.focus();
  } finally {
    button.disabled = false;
  }
}

async function copyLink() {
  const input = $('room-link');
  const status = $('copy-status');
  status.textContent = '';
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(input.value);
    status.textContent = 'Copied';
    status.dataset.state = 'copied';
  } catch {
    input.focus();
    input.select();
    status.textContent = 'The link is selected: press Ctrl+C (or Cmd+C) to copy it.';
    status.dataset.state = 'selected';
  }
}

async function init() {
  form.addEventListener('submit', submit);
  form.elements.job_id.addEventListener('change', updateHints);
  $('copy-link').addEventListener('click', copyLink);
  const user = await requireRecruiter(GATE);
  $('loading').hidden = true;
  if (!user) return;
  form.hidden = false;
  $('recruiter_ids-hint').textContent += ` Yours is ${user.id}.`;
  try {
    await loadJobs();
  } catch {
    $('job_id-error').textContent = 'Your saved jobs could not be loaded. You can still write a role.';
  }
  form.dataset.ready = '1';
}

window.newInterview = { questions };
init();
