import { describe, expect, it } from 'vitest';
import { symlinkEscapes } from '../../../controller/source/symlinks.js';

describe('symlinkEscapes', () => {
  it.each([
    ['alias.yaml', 'drover.yaml'],
    ['templates/web/motd', '../common/motd'],
    ['a/b/c', '../../x'],
    ['a/b', './b2'],
    ['a', 'a/../b'],
  ])('%s -> %s stays inside', (link, target) => {
    expect(symlinkEscapes(link, target)).toBe(false);
  });

  it.each([
    ['motd', '/etc/motd'],
    ['motd', '..'],
    ['templates/web/motd', '../../../etc/drover/token'],
    ['a/b', '../../x'],
    ['a', 'b/../../x'],
  ])('%s -> %s escapes', (link, target) => {
    expect(symlinkEscapes(link, target)).toBe(true);
  });
});
