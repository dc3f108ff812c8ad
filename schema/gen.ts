/**
 * `npm run gen`: writes schema/generated/*.ts (types), docs/manifest-reference.md and
 * docs/controller-config.md from the
 * JSON Schemas. Removes generated files that no schema produces any more. Commit the result.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './generate.js';
import { renderConfigReference, renderReference } from './reference.js';

const generatedDir = fileURLToPath(new URL('./generated/', import.meta.url));
const referenceFile = fileURLToPath(new URL('../docs/manifest-reference.md', import.meta.url));
const configReferenceFile = fileURLToPath(new URL('../docs/controller-config.md', import.meta.url));

async function main(): Promise<void> {
  const files = await generateTypes();
  await mkdir(generatedDir, { recursive: true });
  for (const stale of (await readdir(generatedDir)).filter((name) => !files.has(name))) {
    await rm(new URL(stale, new URL('./generated/', import.meta.url)));
  }
  for (const [name, contents] of files) await writeFile(new URL(name, new URL('./generated/', import.meta.url)), contents);
  await writeFile(referenceFile, renderReference());
  await writeFile(configReferenceFile, renderConfigReference());
  console.log(`wrote ${files.size} files to schema/generated/, docs/manifest-reference.md and docs/controller-config.md`);
}

await main();
