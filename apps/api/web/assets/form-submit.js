/**
 * The submit cycle the form pages share: clear the previous error, disable the button and show "working"
 * while the work runs, and on failure render the error (with its field issues) and move focus to it.
 */
import { clearError, showError } from './error-view.js';
import { t } from './i18n.js';

/**
 * Runs `work` on each submit of `form`, the page's `#error` alert region and `#status` line showing its course.
 *
 * @param {HTMLFormElement} form
 * @param {HTMLButtonElement} submit disabled while `work` runs, so one click is one request.
 * @param {() => Promise<void>} work
 */
export function onSubmit(form, submit, work) {
  const errorRegion = /** @type {HTMLElement} */ (document.getElementById('error'));
  const status = /** @type {HTMLElement} */ (document.getElementById('status'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(errorRegion, form);
    submit.disabled = true;
    status.textContent = t('status.working');
    try {
      await work();
    } catch (error) {
      showError(errorRegion, error, form);
      errorRegion.focus();
    } finally {
      submit.disabled = false;
      status.textContent = '';
    }
  });
}
