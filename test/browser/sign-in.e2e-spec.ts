import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { describeInChromium, launchChromium } from '../support/chromium.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

/** A person's view: a real headless Chromium clicks "Sign in" and types a user name. */
describeInChromium('sign in through a real browser', () => {
  let sut: SampleAppUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  it('clicks "Sign in", signs in on the dev provider form and sees the user', async () => {
    const page = await browser.newPage();
    await page.goto(sut.baseUrl);
    await page.getByText('Sign in').click();
    await page.waitForSelector('input[name="login"]');
    expect(await page.textContent('body')).toMatch(/development only/i);
    await page.fill('input[name="login"]', 'alice');
    await Promise.all([page.waitForURL(`${sut.baseUrl}/`), page.click('button[type="submit"], input[type="submit"]')]);
    expect(await page.textContent('#user-name')).toBe('Alice');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'nestflux.sid');
    expect(session?.httpOnly).toBe(true);
    expect(await page.evaluate<string>('document.cookie')).not.toContain('nestflux.sid');
    await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/nestflux-signed-in.png` });

    // Sign out: the session ends here, then the provider's end-session page sends the browser home.
    await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/oidc/'), { timeout: 10_000 }), page.click('#sign-out')]);
    await page.waitForURL((url) => url.origin === sut.baseUrl && url.pathname === '/', { timeout: 10_000, waitUntil: 'load' });
    expect(await page.textContent('body')).toContain('You are not signed in');
  }, 60_000);
});
