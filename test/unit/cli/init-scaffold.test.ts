import { describe, expect, it } from 'vitest';
import { pointSchemaComment } from '../../../controller/cli/init/scaffold.js';

describe('pointSchemaComment (drover init: schema lines point at the new repository\'s schema/)', () => {
  it.each([
    ['drover.yaml', '# yaml-language-server: $schema=../../schema/drover.schema.json\nx: 1\n', '# yaml-language-server: $schema=schema/drover.schema.json\nx: 1\n'],
    ['hosts/web1.yaml', '# yaml-language-server: $schema=../../../schema/host.schema.json\n', '# yaml-language-server: $schema=../schema/host.schema.json\n'],
    ['a/b/c.yaml', '# yaml-language-server: $schema=/abs/schema/role.schema.json\n', '# yaml-language-server: $schema=../../schema/role.schema.json\n'],
    ['drover.config.yaml', 'source: {url: .}\n', 'source: {url: .}\n'],
    ['hosts/x.yaml', 'a: 1\n# yaml-language-server: $schema=../../../schema/host.schema.json\n', 'a: 1\n# yaml-language-server: $schema=../schema/host.schema.json\n'],
  ])('%s', (path, text, expected) => {
    expect(pointSchemaComment(text, path)).toBe(expected);
  });
});
