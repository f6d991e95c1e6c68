// @ts-check
// A few DOM helpers. Text always goes in as text (never as HTML), so names and ids from Deskworks
// or SALTO KS cannot inject markup.

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs
 */

/**
 * h('button', { type: 'button', onclick: fn }, 'Save'): an element with attributes, listeners
 * (on…), and children; false, null and undefined children and attributes are left out.
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return el;
}

/**
 * Replaces a container's content, keeping the keyboard focus on the element with the same id
 * (the periodic refresh must not throw a keyboard user back to the top).
 * @param {Element} container
 * @param {...(Child | Child[])} children
 */
export function swap(container, ...children) {
  const active = document.activeElement;
  const focusedId = active && container.contains(active) ? active.id : '';
  const nodes = /** @type {(Node | string)[]} */ (
    children
      .flat()
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c))
  );
  container.replaceChildren(...nodes);
  if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
}

/** @param {string} id */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** A stable, valid id fragment for any text (ids from Deskworks may hold any character). */
export function idPart(/** @type {string} */ text) {
  return encodeURIComponent(text).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/**
 * The message line under a field: its id is what the field's aria-describedby points at.
 * @param {string} id
 */
export function errorLine(id) {
  return h('p', { class: 'field-error', id, role: 'alert', hidden: true });
}

/**
 * Shows or clears a field's message line.
 * @param {string} id
 * @param {string | null} text
 */
export function showError(id, text) {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text ?? '';
  el.hidden = !text;
}

/**
 * Runs an action from a button: disabled and marked busy while it runs, so a double click
 * sends one request.
 * @param {HTMLButtonElement | HTMLElement | null} button
 * @param {() => Promise<void>} action
 */
export async function busy(button, action) {
  if (button instanceof HTMLButtonElement) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    await action();
  } finally {
    if (button instanceof HTMLButtonElement) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/** Announces a short message to everyone, screen readers included. */
export function announce(/** @type {string} */ text) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  // A fresh text node, so the same message twice is announced twice.
  setTimeout(() => {
    el.textContent = text;
  }, 50);
}
