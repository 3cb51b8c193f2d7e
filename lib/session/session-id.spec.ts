import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { hashSessionId, newSessionId } from './session-id.js';

const hmac = (secret: string, id: string) => createHmac('sha256', secret).update(id).digest('hex');

describe('hashSessionId', () => {
  it('answers the keyed HMAC the first time and every time after', () => {
    const id = newSessionId();
    expect(hashSessionId('secret-one-0123456789-0123456789-ab', id)).toBe(hmac('secret-one-0123456789-0123456789-ab', id));
    expect(hashSessionId('secret-one-0123456789-0123456789-ab', id)).toBe(hmac('secret-one-0123456789-0123456789-ab', id));
  });

  it('never answers a hash remembered under another secret', () => {
    const id = newSessionId();
    hashSessionId('secret-one-0123456789-0123456789-ab', id);
    expect(hashSessionId('secret-two-0123456789-0123456789-ab', id)).toBe(hmac('secret-two-0123456789-0123456789-ab', id));
  });

  it('stays correct past its bound', () => {
    const ids = Array.from({ length: 10_050 }, () => newSessionId());
    for (const id of ids) hashSessionId('secret-bound-0123456789-0123456789', id);
    for (const id of [ids[0], ids[5_000], ids[10_049]])
      expect(hashSessionId('secret-bound-0123456789-0123456789', id)).toBe(hmac('secret-bound-0123456789-0123456789', id));
  });

  it('hashes values that are not session ids (logout-link handles) the same way', () => {
    expect(hashSessionId('secret-one-0123456789-0123456789-ab', 'logout-link:x')).toBe(
      hmac('secret-one-0123456789-0123456789-ab', 'logout-link:x'),
    );
  });
});
