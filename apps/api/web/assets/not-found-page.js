/**
 * The page for an address that does not exist: translations and the language switch only.
 */
import { initLanguage } from './i18n.js';

initLanguage();
