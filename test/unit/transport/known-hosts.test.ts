import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHostKey, hostLookupName, keyTypeOfBlob, parseKnownHosts } from '../../../controller/transport/known-hosts.js';

const dir = join(import.meta.dirname, '../../fixtures/transport/known-hosts');
const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as Record<string, string>;

interface Query {
  host: string;
  port: number;
  key: string;
  expect: string;
  line?: number;
  knownTypes?: string[];
}
interface Case {
  problems: number[];
  queries: Query[];
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.known_hosts'))
  .map((f) => f.replace(/\.known_hosts$/, ''));

describe('known_hosts fixtures', () => {
  it('has fixture cases', () => {
    expect(cases).toEqual(expect.arrayContaining(['plain', 'patterns', 'hashed', 'markers', 'malformed']));
  });

  for (const name of cases) {
    const text = readFileSync(join(dir, `${name}.known_hosts`), 'utf8');
    const spec = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Case;
    const parsed = parseKnownHosts(text);

    it(`${name}: reports unreadable lines`, () => {
      expect(parsed.problems.map((p) => p.line)).toEqual(spec.problems);
    });

    for (const q of spec.queries) {
      it(`${name}: ${q.host}:${q.port} key ${q.key} -> ${q.expect}`, () => {
        const key = Buffer.from(keys[q.key] ?? '', 'base64');
        const check = checkHostKey(parsed, { host: q.host, port: q.port, key });
        expect(check.verdict).toBe(q.expect);
        expect(check.line).toBe(q.line);
        if (q.knownTypes) expect(check.knownTypes).toEqual(q.knownTypes);
      });
    }
  }
});

describe('helpers', () => {
  it('writes port 22 without brackets and lowercases', () => {
    expect(hostLookupName('Web1', 22)).toBe('web1');
    expect(hostLookupName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('reads the key type out of a blob', () => {
    expect(keyTypeOfBlob(Buffer.from(keys.C ?? '', 'base64'))).toBe('ssh-rsa');
    expect(keyTypeOfBlob(Buffer.from([0, 0]))).toBeUndefined();
  });
});
