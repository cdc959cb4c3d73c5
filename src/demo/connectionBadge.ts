/** Keeps `badge` saying whether the browser thinks it is online (`navigator.onLine` and its events). */
export function bindConnectionBadge(badge: HTMLElement): void {
  const update = (): void => {
    const online = navigator.onLine;
    badge.textContent = online ? 'Online' : 'Offline';
    badge.dataset.state = online ? 'online' : 'offline';
  };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}
