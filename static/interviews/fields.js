/*
 * The new-interview form's fields: the request body from the form (POST /api/interviews, see
 * server/http/interview_fields.py), the checks made before sending, and the API's field errors
 * in plain words beside their fields.
 */

import { $ } from '../shared/dom.js';
import { plainField } from '../accounts/forms.js';

/** The form's own fields (each with #{name}-error), in the order they appear. */
export const FIELDS = ['job_id', 'job_role', 'difficulty', 'question_type', 'num_questions',
  'candidate_email', 'recruiter_ids', 'approve_follow_ups'];

const WORDS = {
  'no account with this email': 'No account has this email. The candidate needs an account first, or leave the email empty.',
  'not an active candidate account': 'This account is not an active candidate account.',
  'unknown job': 'This job no longer exists. Please choose another.',
  'must match the number of questions given (or be left out)': 'Your own questions set the number of questions.',
  'must be a list of user ids': 'Please write account numbers (digits) separated by commas.',
};

/** An API field message in plain words. */
export function fieldWords(name, message) {
  const text = String(message || '');
  if (WORDS[text]) return WORDS[text];
  if (/^an integer from 1 to (\d+)$/.test(text)) return `Please enter a whole number from 1 to ${text.match(/\d+$/)[0]}.`;
  if (/^not recruiter accounts: /.test(text)) {
    return `These are not recruiter accounts: ${text.replace(/^not recruiter accounts: /, '')}.`;
  }
  if (/^must be one of /.test(text)) return 'Please choose one of the listed values.';
  if (/^at most (\d+) characters$/.test(text)) return `Please use at most ${text.match(/\d+/)[0]} characters.`;
  return plainField(text);
}

/** "3, 7 12" -> [3, 7, 12]; null when something else than account numbers is written. */
export function accountNumbers(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.some((p) => !/^\d+$/.test(p))) return null;
  return [...new Set(parts.map(Number))];
}

/**
 * The request body and the problems found before sending ({name: words}): `own` = the own
 * questions in the API's shape, `jobHasQuestions` = the chosen job brings its own.
 */
export function readForm(form, own, jobHasQuestions) {
  const v = (name) => form.elements[name].value.trim();
  const problems = {};
  const body = { difficulty: v('difficulty'), question_type: v('question_type') };
  if (v('job_id')) body.job_id = Number(v('job_id'));
  if (v('job_role')) body.job_role = v('job_role');
  if (own.length) body.questions = own;
  else if (!jobHasQuestions) {
    const raw = form.elements.num_questions.value;
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) problems.num_questions = 'Please enter a whole number from 1 to 10.';
    else body.num_questions = n;
  }
  if (!body.job_id && !body.job_role && !own.length) {
    problems.job_role = 'Please write the role, or choose a saved job.';
  }
  if (v('candidate_email')) body.candidate_email = v('candidate_email');
  if (v('recruiter_ids')) {
    const ids = accountNumbers(v('recruiter_ids'));
    if (ids) body.recruiter_ids = ids;
    else problems.recruiter_ids = WORDS['must be a list of user ids'];
  }
  if (form.elements.approve_follow_ups.checked) body.approve_follow_ups = true;
  return { body, problems };
}

/** Show `words` ({name: text}) beside the form's fields, clear the others; the fields shown. */
export function showFieldWords(words) {
  const shown = [];
  for (const name of FIELDS) {
    const input = $(name);
    const text = words[name] || '';
    $(`${name}-error`).textContent = text;
    if (text) {
      input.setAttribute('aria-invalid', 'true');
      shown.push(name);
    } else {
      input.removeAttribute('aria-invalid');
    }
  }
  return shown;
}
