/**
 * Logging for development builds only. Production builds define `__DEV__` as false, so the
 * minifier drops every `if (__DEV__) devLog(...)` call and this function with it.
 */
export function devLog(event: string, details?: Record<string, unknown>): void {
  if (__DEV__) console.debug(`[media-cache] ${event}`, details ?? '');
}
