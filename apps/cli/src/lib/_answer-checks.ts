/**
 * Prompt checks of registration answers, by the service's own validators (registration-core's
 * username and email rules), so a prompt asks again with the same message the service would answer.
 */
import { validateEmail, validateUsername } from '@city/registration-core';
import type { AnswerCheck } from './_prompts.js';

/** Username: 3-32 of a-z 0-9 . _ - after NFKC, no leading or trailing dot. */
export const usernameCheck: AnswerCheck = (answer) => {
  const result = validateUsername(answer);
  return result.ok ? true : result.message;
};

/** Email: the practical RFC 5322 subset the service accepts. */
export const emailCheck: AnswerCheck = (answer) => {
  const result = validateEmail(answer);
  return result.ok ? true : result.message;
};
