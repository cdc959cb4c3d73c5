// The page side: register the worker, then play. Media requests go through the worker's cache.
import { OfflineLibrary, registerMediaCache } from 'media-range-cache';

const status = document.querySelector<HTMLElement>('#status')!;
const stored = document.querySelector<HTMLOutputElement>('#stored')!;

// The worker says each segment it stores (its segmentDidStore plugin, src/sw.ts).
new BroadcastChannel('example-app').addEventListener('message', (event: MessageEvent<{ storedSegments: number }>) => {
  stored.value = String(event.data.storedSegments);
});

await registerMediaCache({ scriptUrl: '/sw.js', type: 'module' });
status.textContent = 'Media cache active';
(window as unknown as { library: OfflineLibrary }).library = new OfflineLibrary();
document.querySelector<HTMLVideoElement>('#lecture')!.src = '/media/lecture.mp4';
