/*
 * The recruiter's own questions (new-interview page, job editor): rows of a question, its kind,
 * its key points and wrong claims (one a line), added and removed with buttons. Reads the rows
 * in the API's shape and puts the API's errors (`questions[1].key_points[0]`) beside their row.
 */

import { node } from '../shared/dom.js';
import { plainField } from '../accounts/forms.js';

export const MAX_ROWS = 10;
const KINDS = [['technical', 'Technical'], ['behavioral', 'Behavioural']];

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
let serial = 0;

function control(row, key, labelText, input, hintText) {
  const id = `${row.dataset.uid}-${key}`;
  const box = node('div', 'control');
  const label = node('label', null, labelText);
  label.htmlFor = id;
  input.id = id;
  input.dataset.key = key;
  const error = node('p', 'field-error');
  error.id = `${id}-error`;
  const described = [error.id];
  box.append(label, input);
  if (hintText) { // under its field, as on the rest of the form
    const hint = node('p', 'hint', hintText);
    hint.id = `${id}-hint`;
    described.unshift(hint.id);
    box.append(hint);
  }
  input.setAttribute('aria-describedby', described.join(' '));
  box.append(error);
  return box;
}

function textarea(rows) {
  const el = node('textarea');
  el.rows = rows;
  return el;
}

/**
 * The editor in `list` (an <ol>), with its `add` button and a `count` line. `onChange()` runs
 * when rows come or go.
 */
export function questionsEditor(list, add, { onChange = () => {} } = {}) {
  let sent = []; // the rows of the last values(), in the order the API numbers them

  function renumber() {
    [...list.children].forEach((row, i) => {
      row.querySelector('legend').textContent = `Question ${i + 1}`;
      row.querySelector('.remove').textContent = `Remove question ${i + 1}`;
    });
    add.disabled = list.children.length >= MAX_ROWS;
    onChange(list.children.length);
  }

  function addRow(q = {}, focus = true) {
    if (list.children.length >= MAX_ROWS) return null;
    const row = node('li', 'question-row');
    row.dataset.uid = `q${++serial}`;
    const set = node('fieldset');
    const text = textarea(2);
    text.value = q.text || '';
    const kind = node('select');
    for (const [value, label] of KINDS) kind.append(Object.assign(node('option', null, label), { value }));
    kind.value = q.question_type || 'technical';
    const points = textarea(3);
    points.value = (q.key_points || []).join('\n');
    const claims = textarea(2);
    claims.value = (q.wrong_claims || []).join('\n');
    const remove = node('button', 'btn btn-ghost btn-small remove');
    remove.type = 'button';
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next ? next.querySelector('textarea') : add).focus();
    });
    set.append(node('legend'),
      control(row, 'text', 'Question', text),
      control(row, 'type', 'Kind', kind),
      control(row, 'points', 'Key points', points,
        'What a good answer covers, one a line.'),
      control(row, 'claims', 'Wrong claims (optional)', claims,
        'Misconceptions that cost points, one a line.'),
      remove);
    row.append(set);
    list.append(row);
    renumber();
    if (focus) text.focus();
    return row;
  }

  add.addEventListener('click', () => addRow());

  const field = (row, key) => row.querySelector(`[data-key="${key}"]`);

  return {
    addRow,
    get count() { return list.children.length; },
    /** The filled-in rows in the API's shape (rows left empty are not sent). */
    values() {
      sent = [...list.children].filter((row) => ['text', 'points', 'claims']
        .some((k) => field(row, k).value.trim()));
      return sent.map((row) => ({
        text: field(row, 'text').value.trim(),
        question_type: field(row, 'type').value,
        key_points: lines(field(row, 'points').value),
        wrong_claims: lines(field(row, 'claims').value),
      }));
    },
    setValues(questions) {
      list.replaceChildren();
      for (const q of questions || []) addRow(q, false);
      renumber();
    },
    /** Show the API's `questions[...]` errors beside their rows; returns the fields shown. */
    showErrors(fields = {}) {
      const shown = [];
      for (const row of list.children) {
        for (const key of ['text', 'type', 'points', 'claims']) {
          const input = field(row, key);
          input.removeAttribute('aria-invalid');
          row.querySelector(`#${input.id}-error`).textContent = '';
        }
      }
      for (const [name, message] of Object.entries(fields)) {
        const m = name.match(/^questions\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?$/);
        const row = m && sent[Number(m[1])];
        if (!row) continue;
        const key = { key_points: 'points', wrong_claims: 'claims', question_type: 'type' }[m[2]] || 'text';
        const input = field(row, key);
        const out = row.querySelector(`#${input.id}-error`);
        const what = key === 'points' ? 'Key point' : 'Wrong claim';
        const words = m[3] != null ? `${what} ${Number(m[3]) + 1}: ${plainField(message)}`
          : (key === 'text' && /^required/.test(message) ? 'Please write the question.' : plainField(message));
        out.textContent = out.textContent ? `${out.textContent} ${words}` : words;
        input.setAttribute('aria-invalid', 'true');
        shown.push(name);
      }
      return shown;
    },
  };
}
