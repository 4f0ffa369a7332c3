/*
 * The degradation ladder as the candidate sees it: a `quality` event (level 0-3, see
 * server/live/quality.py) shows or hides a plain-words notice under the top bar.
 */

import { $, node } from '../shared/dom.js';

const TEXT = {
  1: 'The server is busy: your camera is analysed less often for now.',
  2: 'The server is busy: live captions are paused; everything you say is still transcribed.',
  3: 'The server is busy: camera analysis is paused and will not count against you; your answers are still heard.',
};

export function onQuality(event) {
  let box = $('quality-notice');
  const text = TEXT[Number(event.level)];
  if (!text) {
    if (box) box.hidden = true;
    return;
  }
  if (!box) {
    box = node('p', 'quality-notice');
    box.id = 'quality-notice';
    box.setAttribute('role', 'status');
    const main = document.querySelector('main');
    if (main) main.before(box); else document.body.prepend(box);
  }
  box.textContent = text;
  box.dataset.level = String(event.level);
  box.hidden = false;
}
