/*
 * Transcript text helpers shared by the room, the spectator view and the replay.
 */

/** Seconds as M:SS, or H:MM:SS from an hour on. */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const FILLER_RE = /\b(u+m+|u+h+|uhm|e+r+m?|a+h+|h+m+|m+h+m+|mm+)\b/gi;

/** Append `text` to `parent` as text nodes, filler sounds wrapped in <mark class="filler">
 * (no innerHTML: transcripts are untrusted). */
export function renderText(parent, text) {
  let last = 0;
  for (const m of text.matchAll(FILLER_RE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    const mark = document.createElement('mark');
    mark.className = 'filler';
    mark.textContent = m[0];
    parent.append(mark);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}
