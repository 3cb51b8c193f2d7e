import { existsSync } from 'node:fs';
import { describe } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath, isCI } from './ci-requirements.js';

const CHROMIUM = chromiumPath();
const available = existsSync(CHROMIUM);
// Locally a missing Chromium skips the browser files, saying so; in CI it fails (never a silent skip).
if (!available && !isCI()) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);

/** `describe` where the browser tests run (Chromium installed, or CI, where its absence fails), else `describe.skip`. */
export const describeInChromium = available || isCI() ? describe : describe.skip;

/** Debian's headless Chromium with the flags this closed network needs (no background connections). */
export async function launchChromium(): Promise<Browser> {
  if (!available) throw new Error(`CI=true but no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
