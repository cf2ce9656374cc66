import { cityVitestConfig } from '../../vitest.shared.ts';

// Every command runs as a subprocess that opens the embedded stores; a test chains several of them.
export default cityVitestConfig(import.meta.dirname, { testTimeout: 180_000 });
