/*
 * The spectator page's state: one object, read and changed by its modules, and exposed as
 * window.spectator for tests and debugging (with handle(event) and dropConnection()).
 */

import { accessToken } from '../shared/access-token.js';
import { pathId, queryParam } from '../shared/location.js';

export const spectator = {
  interviewId: pathId('spectate'),
  token: queryParam('token'),
  accessToken: queryParam('access_token') || accessToken(),
  lastSeq: 0,
  connects: 0,        // sockets opened
  closes: [],         // close codes seen (newest last)
  queue: [],          // received events not rendered yet
  flushPending: false,
  session: 'waiting', // waiting | live | ended
  clockT: 0,          // newest session time seen (seconds)
  clockAt: 0,         // performance.now() when clockT was seen
  finals: 0,          // rendered final lines
  question: null,     // newest question event
  evalCards: new Map(), // turn -> card element
  approvals: new Map(), // follow-up id -> card element
  asking: null,       // the `ask` sent and not answered yet: {text, timer}
  queued: new Map(),  // recruiter question id -> text: queued, not asked yet
  skewMs: null,       // this clock minus the server's (ms), from the freshest event's `ts`
  series: { pace: [], eye: [], confidence: [] },
  chartsDirty: false,
  chartTimer: 0,
  chartDrawnAt: 0,
  stats: { received: 0, duplicates: 0, byType: {} },
};
