/** `npm run gen` (second part): writes docs/errors.md from the error registry. */
import { writeFile } from 'node:fs/promises';
import { renderErrorReference } from './error-reference.js';

await writeFile(new URL('../docs/errors.md', import.meta.url), renderErrorReference());
console.log('wrote docs/errors.md');
