import type { Page } from '@playwright/test';

/**
 * Stops every service worker of the page's browser (CDP `ServiceWorker.stopAllWorkers`), as
 * Chromium's own lifetime limit does (docs/platform-facts.md §7, §23).
 */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
  } finally {
    await session.detach();
  }
}
