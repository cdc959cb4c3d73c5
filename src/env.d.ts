/** Set by the build: `true` in `vite dev`, `false` in production builds, where dev-only code is removed. */
declare const __DEV__: boolean;
/** Set by the build: the app-shell URLs the service worker precaches (production only). */
declare const __APP_SHELL__: string[];
/** Set by the build: a hash of the app shell, so each build gets its own precache. */
declare const __APP_SHELL_VERSION__: string;
