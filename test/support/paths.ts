import { join } from 'node:path';

/** The repository root (where bin/drover.js, dist/ and examples/ live). */
export const ROOT = join(import.meta.dirname, '../..');
