import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { describeInChromium, launchChromium } from '../support/chromium.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

/**
 * Two browsers (two Chromium contexts, as two devices) signed in as one user; from the first
 * one's home page the user revokes the other session, and the other browser is signed out.
 */
describeInChromium.each(sessionStores)('revoke a session from another browser (sessions in %s)', (store) => {
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;
  let browser: Browser;

  beforeAll(async () => {
    sut = await startSampleAppOnStore(store);
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  async function signedInPage(login: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(sut.baseUrl);
    await page.getByText('Sign in').click();
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', login);
    await Promise.all([page.waitForURL(`${sut.baseUrl}/`), page.click('button[type="submit"], input[type="submit"]')]);
    expect(await page.textContent('#user-name')).toBe('Alice');
    return page;
  }

  it('lists both sessions, revokes the other one, and that browser is signed out', async () => {
    const laptop = await signedInPage('alice');
    const phone = await signedInPage('alice');

    await laptop.reload();
    await laptop.waitForSelector('#sessions li.session.current');
    expect(await laptop.locator('#sessions li.session').count()).toBe(2);
    await laptop.click('#sessions li.session:not(.current) button.revoke-session');
    await laptop.waitForFunction("document.querySelectorAll('#sessions li.session').length === 1");
    expect(await laptop.locator('#sessions li.session.current').count()).toBe(1);

    await phone.reload();
    expect(await phone.textContent('body')).toContain('You are not signed in');
    // The revoking browser is still signed in.
    await laptop.reload();
    expect(await laptop.textContent('#user-name')).toBe('Alice');
  }, 90_000);
});
