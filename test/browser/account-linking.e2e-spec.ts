import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { describeInChromium, launchChromium } from '../support/chromium.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

/**
 * Issue 10: in Chromium, on `npm start` with DEV_PROVIDERS=2, a user signed in with provider 1
 * links provider 2 from the home page's Link button and sees both accounts listed.
 */
describeInChromium('link a second provider on the home page (Chromium)', () => {
  let sut: SampleAppUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ DEV_PROVIDERS: '2' });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  it('signs in with provider 1, links provider 2 and lists both', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(sut.baseUrl);
    await page.getByText('Sign in with Development provider', { exact: true }).click();
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', 'ivy');
    await Promise.all([page.waitForURL(`${sut.baseUrl}/`), page.click('button[type="submit"], input[type="submit"]')]);
    expect(await page.locator('#identities li.identity').count()).toBe(1);

    await page.getByText('Link Development provider 2').click();
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', 'ivy-at-two');
    await Promise.all([page.waitForURL(`${sut.baseUrl}/`), page.click('button[type="submit"], input[type="submit"]')]);

    const providers = await page.locator('#identities li.identity').evaluateAll(
      // Runs in the page; typed structurally (the project compiles without the DOM library).
      (items: Array<{ getAttribute(name: string): string | null }>) => items.map((item) => item.getAttribute('data-provider')),
    );
    expect(providers).toEqual(['dev', 'dev2']);
    expect(await page.textContent('#identities')).toContain('ivy-at-two@example.test');
    expect(await page.textContent('#user-name')).toBe('Ivy');
  }, 90_000);
});
