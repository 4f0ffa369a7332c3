/*
 * What a WebSocket close code means, for the person looking at the page.
 */

export const CLOSE_TEXT = Object.freeze({
  1006: 'The connection to the server was lost.',
  1009: 'A message was too large for the server.',
  1011: 'The server hit an internal error.',
  1013: 'The connection was too slow to keep up.',
  4404: 'This interview does not exist.',
  4409: 'This interview is already open in another tab or device.',
  4410: 'This interview has already ended.',
  4503: 'The server is busy. Please try again shortly.',
});

/** The text of a close `code`; 4403 names the page's link ('interview link', 'spectator
 * link'); `fallback` for a code without a text, unless it shows a raw code itself. */
export function closeText(code, fallback, link = 'interview link') {
  if (code === 4403) return `This ${link} is not valid. Check that you opened the whole link.`;
  if (CLOSE_TEXT[code]) return CLOSE_TEXT[code];
  return fallback && !/\d{3,}/.test(fallback) ? fallback : 'The connection to the server was closed.';
}
