/**
 * The import-direction rule (eslint.layers.js) fails on imports that break the direction and passes the
 * ones that keep it: each snippet is linted with ESLint's API as if it were a file in that directory.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages for `code` placed at `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = y;\n`, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: [file: string, code: string, broken: boolean][] = [
  ['controller/cli/commands/x.ts', "import { y } from '../../transport/pool.js';", true],
  ['controller/cli/commands/x.ts', "import type { y } from '../../facts/types.js';", true],
  ['controller/cli/commands/x.ts', "import { y } from '../../plan/select-steps.js';", true],
  ['controller/cli/commands/x.ts', "import { y } from '../../apply/index.js';", true],
  ['controller/cli/x.ts', "import { y } from '../reconcile/session.js';", false],
  ['controller/cli/x.ts', "import { y } from '../daemon/controller.js';", false],
  ['controller/cli/x.ts', "import { y } from '../../manifests/index.js';", false],
  ['controller/daemon/x.ts', "import { y } from '../source/index.js';", false],
  ['controller/daemon/x.ts', "import { y } from '../config/load.js';", false],
  ['controller/daemon/x.ts', "import { y } from '../reconcile/session.js';", false],
  ['controller/daemon/x.ts', "import { y } from '../transport/pool.js';", true],
  ['controller/daemon/x.ts', "import { y } from '../cli/io.js';", true],
  ['controller/reconcile/x.ts', "import { y } from '../cli/io.js';", true],
  ['controller/reconcile/x.ts', "import { y } from '../daemon/queue.js';", true],
  ['controller/reconcile/x.ts', "import { y } from '../transport/pool.js';", false],
  ['controller/apply/x.ts', "import { y } from '../reconcile/types.js';", true],
  ['controller/transport/x.ts', "import { y } from '../facts/common.js';", true],
  ['controller/transport/x.ts', "import { y } from '../../manifests/errors.js';", false],
  ['controller/source/x.ts', "import { y } from '../../manifests/load.js';", true],
  ['controller/source/x.ts', "import { y } from '../../manifests/errors.js';", false],
  ['controller/source/x.ts', "import { y } from '../transport/ssh.js';", true],
  ['controller/config/x.ts', "import { y } from '../../schema/index.js';", false],
  ['controller/config/x.ts', "import { y } from '../../manifests/read.js';", false],
  ['controller/config/x.ts', "import { y } from '../../manifests/load.js';", true],
  ['controller/config/x.ts', "import { y } from '../reconcile/session.js';", true],
  ['manifests/x.ts', "import { y } from '../controller/plan/types.js';", true],
  ['schema/x.ts', "import { y } from '../manifests/errors.js';", false],
  ['schema/x.ts', "import { y } from '../manifests/load.js';", true],
  ['controller/plan/x.ts', "import { y } from 'node:fs/promises';", true],
  ['controller/plan/compare/x.ts', "import { y } from '../../apply/index.js';", true],
  ['controller/plan/x.ts', "import type { y } from '../facts/types.js';", false],
  ['controller/facts/x.ts', "import { y } from 'node:child_process';", true],
  ['controller/facts/x.ts', "import { y } from '../transport/ssh.js';", true],
  ['controller/facts/x.ts', "import { y } from './observe.js';", true],
  ['controller/facts/x.ts', "import { y } from '../transport/shell.js';", false],
  ['controller/facts/x.ts', "import { y } from '../transport/host-sh.js';", false],
  ['controller/facts/x.ts', "import { y } from '../transport/pool.js';", true],
  ['controller/facts/observe.ts', "import type { y } from '../transport/types.js';", false],
];

describe('the import-direction lint rule', () => {
  it.each(cases)('%s: %s -> broken %s', async (file, code, broken) => {
    const messages = await restricted(file, code);
    if (broken) expect(messages).toHaveLength(1);
    else expect(messages).toEqual([]);
  });

  it('says which direction was broken', async () => {
    expect(await restricted('controller/cli/x.ts', "import { y } from '../transport/pool.js';")).toEqual([
      expect.stringContaining('controller/cli must not import controller/transport: the import direction is cli -> daemon -> reconcile'),
    ]);
  });

  it('passes on the repository as it is', async () => {
    const results = await eslint.lintFiles(['controller', 'manifests', 'schema']);
    const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(broken).toEqual([]);
  });
});
