/**
 * Shows an error to the user: an alert region with the message (the stable code in `data-code`), and for
 * validation errors each field's problem next to its input (`aria-invalid` + `aria-describedby`, WCAG 2.2
 * SC 3.3.1 "Error Identification").
 */
import { ApiError } from './api.js';
import { hasTranslation, t } from './i18n.js';

/**
 * The message to show for an error, always the page's own words in the page language: the API's message
 * may name JSON fields or routes, which mean nothing to people. The stable code stays machine-readable
 * (`data-code`) for support and tests, but is not shown.
 *
 * @param {unknown} error
 * @returns {{ code: string, message: string }}
 */
function describe(error) {
  const code = error instanceof ApiError ? error.code : 'UNEXPECTED';
  const key = `error.${code}`;
  return { code, message: hasTranslation(key) ? t(key) : t('error.generic') };
}

/**
 * The sentence for one field issue: the field's own message for this code, else the code's message naming
 * the field by its label.
 *
 * @param {{ field: string, code: string }} issue
 * @returns {string}
 */
export function fieldIssueMessage(issue) {
  const own = `fieldIssue.${issue.field}.${issue.code}`;
  if (hasTranslation(own)) return t(own);
  const label = hasTranslation(`field.${issue.field}`) ? t(`field.${issue.field}`) : t('field.unknown');
  const generic = hasTranslation(`fieldIssue.${issue.code}`)
    ? `fieldIssue.${issue.code}`
    : 'fieldIssue.INVALID';
  return t(generic, { field: label });
}

/**
 * Removes a previous error from `region` and from the fields of `form`.
 *
 * @param {HTMLElement} region
 * @param {HTMLFormElement} [form]
 */
export function clearError(region, form) {
  region.replaceChildren();
  region.removeAttribute('data-code');
  region.hidden = true;
  if (form === undefined) return;
  for (const node of form.querySelectorAll('.field-error')) node.remove();
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((id) => id !== '' && id !== `${input.id}-error`);
    if (described.length > 0) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
}

/**
 * Renders `error` into the alert `region` (and its field issues into `form`).
 *
 * @param {HTMLElement} region an element with `role="alert"`.
 * @param {unknown} error
 * @param {HTMLFormElement} [form]
 */
export function showError(region, error, form) {
  clearError(region, form);
  const { code, message } = describe(error);
  const heading = document.createElement('p');
  heading.className = 'error-message';
  heading.textContent = message;
  region.dataset.code = code;
  region.append(heading);
  if (code === 'NO_DEVICE_KEY') {
    // Logging in needs this browser's own device key: the way to get one for an existing account is /pair.
    const next = document.createElement('p');
    const link = document.createElement('a');
    link.href = '/pair';
    link.textContent = t('login.pairLink');
    next.append(link);
    region.append(next);
  }
  const fields = error instanceof ApiError ? error.fields : [];
  if (fields.length > 0) {
    const list = document.createElement('ul');
    for (const issue of fields) {
      const text = fieldIssueMessage(issue);
      const item = document.createElement('li');
      item.dataset.field = issue.field;
      item.dataset.code = issue.code;
      item.textContent = text;
      list.append(item);
      const input = form?.querySelector(`[name="${CSS.escape(issue.field)}"]`);
      if (input instanceof HTMLElement && input.id !== '') {
        const note = document.createElement('p');
        note.className = 'field-error';
        note.id = `${input.id}-error`;
        note.dataset.code = issue.code;
        note.textContent = text;
        input.setAttribute('aria-invalid', 'true');
        const described = input.getAttribute('aria-describedby');
        input.setAttribute('aria-describedby', described ? `${described} ${note.id}` : note.id);
        input.insertAdjacentElement('afterend', note);
      }
    }
    region.append(list);
  }
  region.hidden = false;
}
