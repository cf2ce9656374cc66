/**
 * The start page: translations and the language switch only.
 */
import { initLanguage } from './i18n.js';

initLanguage();
