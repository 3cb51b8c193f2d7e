import { describe, expect, it } from '@jest/globals';
import { TokenCipher } from './token-cipher.js';

describe('TokenCipher', () => {
  const cipher = new TokenCipher('s'.repeat(40));

  it('round-trips and never stores the plaintext', () => {
    const sealed = cipher.encrypt('refresh-token-value');
    expect(sealed).not.toContain('refresh-token-value');
    expect(cipher.decrypt(sealed)).toBe('refresh-token-value');
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('refuses tampered values and values sealed with another secret', () => {
    const sealed = cipher.encrypt('value');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(cipher.decrypt(parts.join('.'))).toBeUndefined();
    expect(new TokenCipher('t'.repeat(40)).decrypt(sealed)).toBeUndefined();
    expect(cipher.decrypt('garbage')).toBeUndefined();
  });
});
