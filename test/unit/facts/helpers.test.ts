import { describe, expect, it } from 'vitest';
import { bytesToText, decodeHexField, parseStatFields } from '../../../controller/facts/common.js';
import { parseOsRelease } from '../../../controller/facts/platform.js';
import { unitName } from '../../../controller/facts/services.js';
import { dottedKey, procSysPath, sysctlPersistPath } from '../../../controller/facts/sysctl.js';

describe('bytesToText', () => {
  it.each([
    ['valid UTF-8', Buffer.from('ünï\ncødé'), 'ünï\ncødé'],
    ['invalid byte', Buffer.from([0x61, 0xff, 0x62]), 'a\\xffb'],
    ['truncated sequence', Buffer.from([0x61, 0xc3]), 'a\\xc3'],
    ['literal U+FFFD stays', Buffer.from('a\uFFFDb'), 'a\uFFFDb'],
    ['mixed', Buffer.concat([Buffer.from('é'), Buffer.from([0xfe]), Buffer.from('ü')]), 'é\\xfeü'],
  ])('%s', (_name, bytes, text) => {
    expect(bytesToText(bytes)).toBe(text);
  });
});

describe('decodeHexField / parseStatFields', () => {
  it('decodes x-prefixed hex, also empty', () => {
    expect(decodeHexField('s', 'x610a')).toBe('a\n');
    expect(decodeHexField('s', 'x')).toBe('');
  });
  it.each([['61'], ['x6'], ['xZZ'], [undefined]])('rejects %s', (field) => {
    expect(() => decodeHexField('s', field)).toThrow(/probe section "s"/);
  });
  it('reads GNU and busybox stat -c "%f %a %u %g %s %U %G" lines', () => {
    expect(parseStatFields('f', ['81a4', '644', '0', '0', '10', 'root', 'root'])).toEqual({
      exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', uid: 0, gid: 0, size: 10,
    });
    expect(parseStatFields('f', ['43ff', '1777', '0', '0', '4096', 'root', 'root']).type).toBe('directory');
    expect(parseStatFields('f', ['a1ff', '777', '0', '0', '5', 'root', 'root']).type).toBe('symlink');
    expect(parseStatFields('f', ['gone'])).toEqual({ exists: false, type: 'absent' });
    expect(() => parseStatFields('f', ['81a4', '644', 'x', '0', '1', 'a', 'b'])).toThrow(/malformed stat/);
  });
});

describe('parseOsRelease', () => {
  it('unquotes single, double and bare values', () => {
    expect(parseOsRelease('ID=alpine\nNAME="Alpine \\"Linux\\""\nX=\'a b\'\n# comment\nbad line\n')).toEqual({
      ID: 'alpine', NAME: 'Alpine "Linux"', X: 'a b',
    });
  });
});

describe('service and sysctl names', () => {
  it.each([['nginx', 'nginx.service'], ['ssh.socket', 'ssh.socket'], ['getty@tty1', 'getty@tty1.service'], ['a.b', 'a.b.service']])(
    'unitName(%s) = %s', (name, unit) => expect(unitName(name)).toBe(unit),
  );
  it.each([
    ['net.ipv4.ip_forward', '/proc/sys/net/ipv4/ip_forward', 'net.ipv4.ip_forward', '/etc/sysctl.d/99-drover-net.ipv4.ip_forward.conf'],
    ['net/ipv4/ip_forward', '/proc/sys/net/ipv4/ip_forward', 'net.ipv4.ip_forward', '/etc/sysctl.d/99-drover-net.ipv4.ip_forward.conf'],
    ['net.ipv4.conf.eth0/100.forwarding', '/proc/sys/net/ipv4/conf/eth0.100/forwarding', 'net.ipv4.conf.eth0/100.forwarding', '/etc/sysctl.d/99-drover-net.ipv4.conf.eth0_100.forwarding.conf'],
    ['../etc/passwd', undefined, '../etc/passwd', '/etc/sysctl.d/99-drover-.._etc_passwd.conf'],
    ['kernel..x', undefined, 'kernel..x', '/etc/sysctl.d/99-drover-kernel..x.conf'],
  ])('%s', (key, proc, dotted, persist) => {
    expect(procSysPath(key)).toBe(proc);
    expect(dottedKey(key)).toBe(dotted);
    expect(sysctlPersistPath(key)).toBe(persist);
  });
});
