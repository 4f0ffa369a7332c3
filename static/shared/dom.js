/*
 * Small DOM helpers shared by every page.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new HTML element with an optional class name and text. */
export function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text != null) el.textContent = text;
  return el;
}

/** A new SVG element with these attributes, appended to `parent` if given. */
export function svgNode(name, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

/** Show (or hide) the element with this id. */
export function show(id, visible = true) {
  $(id).hidden = !visible;
}

/** The page's #status pill: data-state (styled by CSS) and its text. */
export function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

/** The page's #notice line (hidden when `message` is empty). */
export function notice(message, isError = false) {
  const el = $('notice');
  el.textContent = message || '';
  el.classList.toggle('is-error', isError);
  el.hidden = !message;
}

/** A figure box: <div class="stat"><b>value</b><span>label</span></div>. */
export function statBox(value, label, className = 'stat') {
  const box = node('div', className);
  box.append(node('b', null, value), node('span', null, label));
  return box;
}

/** Re-run a CSS animation class (e.g. the highlight of a new question). */
export function replayAnimation(el, className) {
  el.classList.remove(className);
  void el.offsetWidth; // a reflow restarts the animation
  el.classList.add(className);
}
