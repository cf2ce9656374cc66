export type { CityErrorOptions, FieldIssue } from './city-error.js';
export { CityError, isCityError } from './city-error.js';
