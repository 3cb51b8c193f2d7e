import { describe, expect, it } from '@jest/globals';
import { isCI, missingCiRequirements } from './ci-requirements.js';

describe('CI requirements (npm test with CI=true fails instead of skipping)', () => {
  const none = () => false;
  const all = () => true;

  it('asks nothing outside CI', () => {
    expect(missingCiRequirements({}, none)).toEqual([]);
    expect(missingCiRequirements({ CI: 'false' }, none)).toEqual([]);
    expect(missingCiRequirements({ CI: '0' }, none)).toEqual([]);
  });

  it('in CI, names DATABASE_URL and Chromium when missing', () => {
    const missing = missingCiRequirements({ CI: 'true' }, none);
    expect(missing).toHaveLength(2);
    expect(missing[0]).toMatch(/^DATABASE_URL is not set/);
    expect(missing[1]).toMatch(/^no Chromium at \/usr\/bin\/chromium/);
  });

  it('in CI, looks for Chromium at CHROMIUM_PATH', () => {
    const missing = missingCiRequirements(
      { CI: '1', DATABASE_URL: 'postgres://x', CHROMIUM_PATH: '/opt/chrome' },
      (path) => path === '/usr/bin/chromium',
    );
    expect(missing).toEqual(['no Chromium at /opt/chrome: install it (apt-get install chromium) or set CHROMIUM_PATH.']);
  });

  it('in CI with both, is satisfied', () => {
    expect(missingCiRequirements({ CI: 'true', DATABASE_URL: 'postgres://x' }, all)).toEqual([]);
    expect(isCI({ CI: 'true' })).toBe(true);
  });
});
