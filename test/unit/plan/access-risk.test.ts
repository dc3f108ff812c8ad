/**
 * Which runs the lockout guard must confirm (controller/plan/access-risk.ts), from the cases in
 * test/fixtures/plan/access-risk.json: a plan's steps and the resources they work on, and the first step that
 * could cut SSH access with why (null: only data areas change, no guard).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessRisk, inDataArea } from '../../../controller/plan/access-risk.js';
import type { Plan } from '../../../controller/plan/types.js';
import type { DesiredState } from '../../../manifests/types.js';
import { ROOT } from '../../support/paths.js';

interface Case {
  case: string;
  steps: Plan['steps'];
  resources: DesiredState['resources'];
  risk: { step: string; why: string } | null;
}

const CASES = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/plan/access-risk.json'), 'utf8')) as Case[];

describe('accessRisk', () => {
  it.each(CASES.map((c) => [c.case, c] as const))('%s', (_name, c) => {
    const risk = accessRisk({ steps: c.steps }, { resources: c.resources });
    if (c.risk === null) expect(risk).toBeUndefined();
    else expect(risk).toEqual({ step: c.risk.step, why: expect.stringContaining(c.risk.why) });
  });
});

describe('inDataArea', () => {
  it('takes paths two levels inside a data area without hidden or .. components', () => {
    const paths = ['/srv/app/x', '/srv/app', '/srv', '/var/www/site/index.html', '/var/wwwx/a/b', '/opt/a/.env', '/tmp/a/b', '/etc/a/b', 'srv/a/b', '/srv/a/../b'];
    expect(paths.filter(inDataArea)).toEqual(['/srv/app/x', '/var/www/site/index.html', '/tmp/a/b']);
  });
});
