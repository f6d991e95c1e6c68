// @ts-check
// What happens to a SALTO KS user left with no access, and how long before and after a
// reservation its access holds.
import { ApiError, errorText, request } from './api.js';
import { announce, busy, byId, errorLine, h, showError, swap } from './dom.js';
import { policyText } from './format.js';
import { store } from './store.js';

/** @param {() => Promise<void>} afterSave */
export function renderPolicy(afterSave) {
  const setup = store.setup;
  if (!setup) return;
  /**
   * @param {'reservationLeadMinutes' | 'reservationLagMinutes'} name
   * @param {string} label
   * @param {string} hint
   */
  const minutes = (name, label, hint) =>
    h(
      'div',
      {},
      h('label', { for: `policy-${name}` }, label),
      h('input', {
        id: `policy-${name}`,
        name,
        type: 'number',
        min: 0,
        max: 1440,
        step: 1,
        inputmode: 'numeric',
        required: true,
        value: setup[name],
        'aria-describedby': `policy-${name}-hint policy-${name}-error`,
      }),
      h('p', { class: 'hint', id: `policy-${name}-hint` }, hint),
      errorLine(`policy-${name}-error`),
    );
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { id: 'policy-form', class: 'stack', novalidate: true },
      h(
        'fieldset',
        { 'aria-describedby': 'policy-noAccessPolicy-error' },
        h('legend', {}, 'When a person has no access group left'),
        ['keep', 'block', 'delete'].map((p) =>
          h(
            'label',
            { class: 'check' },
            h('input', {
              type: 'radio',
              name: 'noAccessPolicy',
              value: p,
              checked: setup.noAccessPolicy === p,
            }),
            ` ${policyText(p)}`,
          ),
        ),
        errorLine('policy-noAccessPolicy-error'),
      ),
      h(
        'div',
        { class: 'grid-form fields-top' },
        minutes(
          'reservationLeadMinutes',
          'Minutes before a reservation',
          'Access starts this long before the reservation starts.',
        ),
        minutes(
          'reservationLagMinutes',
          'Minutes after a reservation',
          'Access ends this long after the reservation ends.',
        ),
      ),
      h('div', {}, h('button', { type: 'submit', id: 'policy-save' }, 'Save policy')),
      errorLine('policy-error'),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      noAccessPolicy: String(data.get('noAccessPolicy') ?? ''),
      reservationLeadMinutes: Number(data.get('reservationLeadMinutes')),
      reservationLagMinutes: Number(data.get('reservationLagMinutes')),
    };
    for (const field of ['noAccessPolicy', 'reservationLeadMinutes', 'reservationLagMinutes', ''])
      showError(field ? `policy-${field}-error` : 'policy-error', null);
    void busy(byId('policy-save'), async () => {
      try {
        await request('PATCH', '/api/setup/policy', body);
        await afterSave();
        announce('Policy saved.');
      } catch (err) {
        // Each problem next to its own field; anything without a field below the form.
        const issues = err instanceof ApiError ? err.issues : [];
        const unplaced = issues.filter((i) => !document.getElementById(`policy-${i.path}-error`));
        for (const issue of issues) showError(`policy-${issue.path}-error`, issue.message);
        if (issues.length === 0 || unplaced.length > 0) showError('policy-error', errorText(err));
      }
    });
  });
  swap(byId('policy-body'), form);
}
