import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellQuote, wrapCommand } from '../../../controller/transport/shell.js';

const cases = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/transport/shell-quote.json'), 'utf8'),
) as { input: string; quoted: string }[];

describe('shellQuote', () => {
  for (const c of cases) {
    it(`quotes ${JSON.stringify(c.input)}`, () => {
      expect(shellQuote(c.input)).toBe(c.quoted);
    });
  }

  it('refuses NUL', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('wraps commands in sh -c, with sudo -n when asked', () => {
    expect(wrapCommand("echo 'x'")).toBe(`sh -c 'echo '\\''x'\\'''`);
    expect(wrapCommand('true', { sudo: true })).toBe('sudo -n sh -c true');
  });
});
