/*
 * Route server events to handlers by kind.
 *
 *   const dispatch = createDispatcher({ [EVENT.QUESTION]: onQuestion, ... });
 *   dispatch(event, ...context)   // calls handlers[event.type](event, ...context); true if handled
 *
 * A handler key that is not a kind of event-kinds.js throws here, at creation: a page cannot
 * wait for an event the server never emits. Kinds without a handler are ignored (false).
 */

import { EVENT } from './event-kinds.js';

const KINDS = new Set(Object.values(EVENT));

export function createDispatcher(handlers) {
  const table = new Map();
  for (const [kind, handler] of Object.entries(handlers)) {
    if (!KINDS.has(kind)) {
      throw new Error(`createDispatcher: "${kind}" is not an event kind the server emits (event-kinds.js)`);
    }
    if (typeof handler !== 'function') {
      throw new TypeError(`createDispatcher: the handler of "${kind}" is not a function`);
    }
    table.set(kind, handler);
  }
  return function dispatch(event, ...context) {
    const handler = event ? table.get(event.type) : undefined;
    if (!handler) return false;
    handler(event, ...context);
    return true;
  };
}
