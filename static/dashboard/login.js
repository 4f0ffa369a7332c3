/*
 * The dashboard's login form and log-out button.
 */

import { forgetAccess, storeAccess } from '../shared/access-token.js';
import { $ } from '../shared/dom.js';
import { errorMessage } from '../shared/location.js';
import { logIn } from './api.js';

export function showLogin(message = '') {
  $('content').hidden = true;
  $('logout').hidden = true;
  $('user').hidden = true;
  $('new-interview').hidden = true;
  $('jobs-link').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('login-name').focus();
}

/** Wire the form; `onLoggedIn()` loads the content. */
export function initLogin(onLoggedIn) {
  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('login-button');
    button.disabled = true;
    $('login-error').textContent = '';
    try {
      const { ok, body } = await logIn($('login-name').value.trim(), $('login-password').value);
      if (!ok) {
        $('login-error').textContent = errorMessage(body, 'Could not log in.');
        return;
      }
      storeAccess(body.access_token, body.user);
      $('login-password').value = '';
      $('login').hidden = true;
      await onLoggedIn();
    } catch {
      $('login-error').textContent = 'Could not reach the server; check your connection and try again.';
    } finally {
      button.disabled = false;
    }
  });
  $('logout').addEventListener('click', logout);
}

export function logout() {
  forgetAccess();
  showLogin();
}
