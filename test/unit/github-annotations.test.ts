import { describe, expect, it } from 'vitest';
import { annotation } from '../../src/cli/github-annotations.ts';

describe('GitHub Actions annotations', () => {
  it('writes the level, the properties in order and the message', () => {
    expect(annotation('warning', 'a finding', { file: 'migrations/0001_a.lua', line: 4, title: 'some-code' })).toBe(
      '::warning file=migrations/0001_a.lua,line=4,title=some-code::a finding',
    );
    expect(annotation('error', 'no file')).toBe('::error::no file');
    expect(annotation('notice', 'no line', { file: 'f.lua', line: undefined })).toBe('::notice file=f.lua::no line');
  });

  it('escapes %, CR and LF in the message, and also : and , in properties', () => {
    expect(annotation('error', '100% done\r\nnext: a, b', { file: 'odd,name:1.lua', title: '50%\nx' })).toBe(
      '::error file=odd%2Cname%3A1.lua,title=50%25%0Ax::100%25 done%0D%0Anext: a, b',
    );
  });
});
