export { OfflineLibrary } from './OfflineLibrary.js';
export type { DownloadOptions, LibraryFeatures, LibraryStorage, OfflineLibraryEventMap, OfflineLibraryOptions } from './OfflineLibrary.js';
export { registerMediaCache } from './registerMediaCache.js';
export type { RegisterMediaCacheOptions } from './registerMediaCache.js';
export { requestPersistence } from './requestPersistence.js';
export type { PersistenceResult } from './requestPersistence.js';
export type { WorkerEndpoint } from './requestWorker.js';
export type { BackgroundFetchOptions, HandoffEnvironment } from './BackgroundHandoff.js';
