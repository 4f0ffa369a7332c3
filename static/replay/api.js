/*
 * What the replay loads: the interview's stored events (GET .../events, page by page) and
 * whether it has a recording (HEAD .../recording).
 */

import { errorMessage, interviewApi } from '../shared/location.js';
import { interviewId, token } from './state.js';

const PAGE_SIZE = 1000;

async function apiError(response) {
  const body = await response.json().catch(() => null);
  const message = errorMessage(body, null);
  return message ? `${message} (${response.status})` : `HTTP ${response.status}`;
}

export async function loadEvents() {
  const events = [];
  let after = 0;
  for (let page = 0; page < 10000; page++) {
    const r = await fetch(interviewApi(interviewId, `/events?after=${after}&limit=${PAGE_SIZE}`, token));
    if (!r.ok) throw new Error(await apiError(r));
    const body = await r.json();
    events.push(...body.events);
    if (!body.more || body.next_after === after) break;
    after = body.next_after;
  }
  return events;
}

/** {url, type} of the recording, or null when there is none. */
export async function probeRecording() {
  const url = interviewApi(interviewId, '/recording', token);
  const r = await fetch(url, { method: 'HEAD' });
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`recording: HTTP ${r.status}`);
  return { url, type: r.headers.get('content-type') || '' };
}
