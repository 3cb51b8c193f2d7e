import { describe, expect, it } from '@jest/globals';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/a/b?x=1#frag', '/a/b?x=1#frag'],
    ['/../etc', '/etc'],
    ['/a/./b/../c', '/a/c'],
    ['/search?q=a%2Fb&next=%2F%2Fx', '/search?q=a%2Fb&next=%2F%2Fx'],
    ['/caf\u00e9', '/caf%C3%A9'],
  ])('keeps the same-origin path %j as %j', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    'HTTPS://evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil',
    'javascript:alert(1)',
    'evil.example',
    '/..//evil.example',
    '/../..//evil.example',
    '/a/../..//evil.example',
    '/./..//evil.example',
    '/%2e%2e//evil.example',
    '/%2E%2E/%2Fevil.example',
    '/%2e/%2fevil.example',
    '/%2f%2fevil.example',
    '/%2F/evil.example',
    '/%5c%5cevil.example',
    '/%5Cevil.example',
    '/.%2f/evil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/\u0000/evil.example',
    '/ok\u007f',
    '',
    undefined,
    null,
    42,
    ['/a'],
    `/${'a'.repeat(3000)}`,
  ])('sends %j to /', (input) => {
    expect(safeReturnTo(input)).toBe('/');
  });
});
