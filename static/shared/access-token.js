/*
 * The signed-in user's bearer token, kept in localStorage by the dashboard and read by the
 * report and spectator pages.
 */

const TOKEN_KEY = 'access_token';
const USER_KEY = 'access_user';

/** The stored access token ('' when none, or when storage is unavailable). */
export function accessToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

/** The stored user ({username, full_name, ...}) or null. */
export function storedUser() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) || 'null');
  } catch {
    return null;
  }
}

export function storeAccess(token, user) {
  localStorage.setItem(TOKEN_KEY, token);
  if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Forget the token (and the user too unless `keepUser`). */
export function forgetAccess({ keepUser = false } = {}) {
  localStorage.removeItem(TOKEN_KEY);
  if (!keepUser) localStorage.removeItem(USER_KEY);
}
