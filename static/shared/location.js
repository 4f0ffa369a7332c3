/*
 * What a page reads from its own URL, and the interview API's URLs.
 */

/** The path segment after `/{prefix}/`, e.g. pathId('room') on /room/abc -> 'abc'. */
export function pathId(prefix) {
  const match = location.pathname.match(new RegExp(`/${prefix}/([^/?#]+)`));
  return decodeURIComponent((match || [])[1] || '');
}

/** A query parameter of the page's URL ('' when absent). */
export const queryParam = (name) => new URLSearchParams(location.search).get(name) || '';

/** /api/interviews/{id}{path}, with ?token= (or &token=) when a token is given. */
export function interviewApi(interviewId, path = '', token = '') {
  const url = `/api/interviews/${encodeURIComponent(interviewId)}${path}`;
  return token ? `${url}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

/** The message of an API error body ({"error": {"code", "message"}}), else `fallback`. */
export const errorMessage = (body, fallback) => (body && body.error && body.error.message) || fallback;
