import { describe, expect, it } from '@jest/globals';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/a/b?x=1#frag', '/a/b?x=1#frag'],
    ['/../etc', '/etc'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', '\\\\evil', 'javascript:alert(1)', 'evil.example', '/\t/evil.example', '', undefined, 42, ['/a'], `/${'a'.repeat(3000)}`])(
    'sends %j to /',
    (input) => {
      expect(safeReturnTo(input)).toBe('/');
    },
  );
});
