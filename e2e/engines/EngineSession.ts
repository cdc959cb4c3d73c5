/**
 * One browser engine driven by its own automation: the few operations the cross-engine scenarios
 * need, the same for Chromium (Playwright), Firefox (Puppeteer over WebDriver BiDi) and WebKitGTK
 * (WebDriver through WebKitWebDriver). Playwright's test runner runs the scenarios; it cannot
 * drive Debian's Firefox or WebKit builds itself, as it needs its own patched browsers.
 */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** A function run in the page; its arguments and result travel as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PageFunction<A extends unknown[], R> = (...args: A) => R | Promise<R>;

export interface EngineSession {
  readonly engine: EngineName;
  /** Loads `url` in the session's one tab and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Runs `fn` in the page and returns its (awaited) result. */
  evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R>;
  /**
   * Clicks the button with that accessible name (exactly), inside the article named `within` when
   * given, as a user would: found through the engine's accessibility tree, clicked by its automation.
   */
  clickButton(name: string, within?: string): Promise<void>;
  /**
   * Closes the browser and starts it again on the same profile (storage, workers); where the
   * engine's automation cannot keep a profile across a relaunch (`restartKeepsProcess`), closes
   * the page's window and opens a new one in the same browser.
   */
  restart(): Promise<void>;
  readonly restartKeepsProcess?: boolean;
  close(): Promise<void>;
}

/**
 * The source of a script that runs `fn` with `args` and resolves to its result. Named functions
 * compiled with esbuild's keepNames call a `__name` helper that the page lacks: it is defined here.
 */
export function pageScript<A extends unknown[], R>(fn: PageFunction<A, R>, args: A): string {
  return `(() => { const __name = (target) => target; return (${fn.toString()})(...${JSON.stringify(args)}); })()`;
}
