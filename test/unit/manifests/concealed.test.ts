import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../controller/config/secret.js';
import { SecretValue } from '../../../manifests/secret-value.js';

// Both kinds of in-memory secret (a controller credential, a decrypted repository secret) share one
// base: these pin what each turns into as text, so the shared code keeps both forms.
describe('secrets held in memory', () => {
  const cases = [
    { name: 'Secret (controller credential)', value: new Secret('hunter2'), shown: '***', inspected: 'Secret(***)' },
    { name: 'SecretValue (repository secret)', value: new SecretValue('hunter2'), shown: '(secret)', inspected: 'SecretValue((secret))' },
  ];
  for (const c of cases) {
    it(`${c.name}: only reveal() gives the value; JSON, strings and inspect show ${c.shown}`, () => {
      expect(c.value.reveal()).toBe('hunter2');
      expect(JSON.stringify({ v: c.value })).toBe(`{"v":"${c.shown}"}`);
      expect(String(c.value)).toBe(c.shown);
      expect(`${c.value}`).toBe(c.shown);
      expect(inspect(c.value)).toBe(c.inspected);
      expect(inspect({ v: c.value }, { showHidden: true, depth: 5 })).not.toContain('hunter2');
      expect(Object.keys(c.value)).toEqual([]);
      expect(JSON.stringify({ ...c.value })).toBe('{}');
    });
  }

  it('SecretValue digests stay apart per key and equal under one key', () => {
    const key = Buffer.alloc(32, 7);
    expect(new SecretValue('a', key).digest()).toBe(new SecretValue('a', key).digest());
    expect(new SecretValue('a', key).digest()).not.toBe(new SecretValue('b', key).digest());
    expect(new SecretValue('a').digest()).not.toBe(new SecretValue('a').digest());
  });
});
