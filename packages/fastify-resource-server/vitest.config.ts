import { cityVitestConfig } from '../../vitest.shared.ts';

export default cityVitestConfig(import.meta.dirname);
