import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronFileContent } from '../../../controller/plan/managed-files.js';
import { cronCommandOf } from '../../support/cron.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../../schema/resource.schema.json'), 'utf8')) as {
  $defs: { cron: { properties: { command: { pattern: string } } } };
};
const allowed = new RegExp(schema.$defs.cron.properties.command.pattern, 'u');

/** The command part of the job line drover writes (after schedule and user). */
function jobCommand(command: string): string {
  const line = cronFileContent({ name: 'job', schedule: '@daily', user: 'root', command }).trimEnd().split('\n').at(-1)!;
  return line.slice('@daily root '.length);
}

describe('cron job lines', () => {
  const commands = [
    'date +%s > /tmp/now', "tar czf /var/backups/etc-$(date +%F).tgz /etc", "printf '%s %%\\n' a", "printf '\\\\%s\\n' x",
    'echo 100%', 'echo "a\\\\b" | tr -d \\\\', 'plain command',
  ];
  it.each(commands)('cron runs exactly %j', (command) => {
    expect(allowed.test(command)).toBe(true);
    expect(cronCommandOf(jobCommand(command))).toEqual({ command, stdin: undefined });
  });

  it.each(['date +\\%s', 'echo a\nrm -rf /', 'x\\'])('the schema refuses %j (cron cannot run it as written)', (command) => {
    expect(allowed.test(command)).toBe(false);
  });
});
