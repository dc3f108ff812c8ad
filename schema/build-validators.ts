/**
 * Part of `npm run build` (run from dist/): writes the precompiled manifest validators next to
 * the built schema module (see standalone.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILED_VALIDATORS, compiledValidatorsSource } from './standalone.js';

writeFileSync(join(import.meta.dirname, COMPILED_VALIDATORS), compiledValidatorsSource());
