import { describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { loginFailure, sanitisedProviderError } from './login-errors.js';

describe('login errors', () => {
  it('logs only registered provider error codes', () => {
    expect(sanitisedProviderError('access_denied')).toBe('access_denied');
    expect(sanitisedProviderError('login_required')).toBe('login_required');
    for (const value of ['<script>', 'access_denied\nFAKE LOG LINE', 'Access_Denied', '', undefined, 42]) {
      expect(sanitisedProviderError(value)).toBe('other');
    }
  });

  it('answers a provider refusal with fixed text whatever the callback carried', () => {
    const params = new URLSearchParams({ error: '<img onerror=x>', error_description: 'call +1-555-0100' });
    const error = new client.AuthorizationResponseError('authorization response from the server is an error', { cause: params });
    const mapped = loginFailure(error);
    expect(mapped.code).toBe('AUTH_LOGIN_FAILED');
    expect(mapped.message).toBe('The identity provider did not complete the login; start the login again.');
  });
});
