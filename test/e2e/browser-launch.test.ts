/**
 * The browser tests' launcher: with nothing installed but `npm install`, a
 * Chromium starts (the package's own binary); when no candidate can start,
 * the failure is one line naming each candidate and its reason — never a
 * silent skip.
 */
import { describe, expect, it } from 'vitest';
import { defaultCandidates, launchChromium } from '../support/browser';

describe('browser launcher', () => {
  it('starts the Chromium that npm installed, and a page renders in it', async () => {
    const npmOnly = defaultCandidates({}).filter((c) => c.source === '@sparticuz/chromium');
    const browser = await launchChromium({ candidates: npmOnly });
    try {
      expect(browser.source).toMatch(/^@sparticuz\/chromium \d+\./);
      const page = await browser.context.newPage();
      await page.setContent('<h1>streamscale</h1>');
      expect(await page.textContent('h1')).toBe('streamscale');
    } finally {
      await browser.close();
    }
  });

  it('fails with one line naming every candidate when none starts', async () => {
    const missing = (source: string) => ({
      source,
      executable: async () => `/nonexistent/${source}/chromium`,
    });
    const err = await launchChromium({ candidates: [missing('a'), missing('b')] }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^no browser could start \(a: .+; b: .+\)$/);
  });
});
