/**
 * Shows an error to the user: an alert region with the message and the stable error code, and for
 * validation errors each field's problem next to its input (`aria-invalid` + `aria-describedby`, WCAG 2.2
 * SC 3.3.1 "Error Identification").
 */
import { ApiError } from './api.js';
import { hasTranslation, t } from './i18n.js';

/**
 * The message to show for an error: our own translation for local codes, else the server's (localised) text.
 *
 * @param {unknown} error
 * @returns {{ code: string, message: string }}
 */
function describe(error) {
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    return { code: error.code, message: hasTranslation(key) ? t(key) : error.message };
  }
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Removes a previous error from `region` and from the fields of `form`.
 *
 * @param {HTMLElement} region
 * @param {HTMLFormElement} [form]
 */
export function clearError(region, form) {
  region.replaceChildren();
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
  const codeLine = document.createElement('p');
  codeLine.className = 'error-code';
  const codeValue = document.createElement('code');
  codeValue.textContent = code;
  codeLine.append(`${t('error.code')}: `, codeValue);
  region.append(heading, codeLine);
  const fields = error instanceof ApiError ? error.fields : [];
  if (fields.length > 0) {
    const list = document.createElement('ul');
    for (const issue of fields) {
      const label = hasTranslation(`field.${issue.field}`) ? t(`field.${issue.field}`) : issue.field;
      const item = document.createElement('li');
      item.textContent = `${label}: ${issue.message} (${issue.code})`;
      list.append(item);
      const input = form?.querySelector(`[name="${CSS.escape(issue.field)}"]`);
      if (input instanceof HTMLElement && input.id !== '') {
        const note = document.createElement('p');
        note.className = 'field-error';
        note.id = `${input.id}-error`;
        note.textContent = `${issue.message} (${issue.code})`;
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
