/** How the e2e suite and the benchmark launch Chromium: Debian's build, with the same flags. */

/** Debian's Chromium: Playwright cannot download its own browser builds here. */
export const chromiumExecutablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--autoplay-policy=no-user-gesture-required',
  '--disable-quic',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
