/**
 * Whether the browser knows it is offline (`navigator.onLine` false): then no upstream request is
 * worth making. True online-ness is never known; an origin that cannot be reached is found out by
 * the request that fails.
 */
export function isOffline(): boolean {
  return (globalThis.navigator as { onLine?: boolean } | undefined)?.onLine === false;
}
