export interface Lecture {
  id: string;
  title: string;
  url: string;
  /** MIME type; `audio/*` lectures play in an `<audio>` element. */
  type: string;
  durationSeconds: number;
  sizeBytes: number;
}

/**
 * The catalogue lives at the site root, not under /media/: the service worker precaches it with the
 * app shell, so the list still loads offline, while /media/ is left to the range cache.
 */
export const CATALOGUE_URL = '/lectures.json';

function isLecture(value: unknown): value is Lecture {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.title === 'string' &&
    typeof v.url === 'string' &&
    typeof v.type === 'string' &&
    typeof v.durationSeconds === 'number' &&
    typeof v.sizeBytes === 'number'
  );
}

export async function loadCatalogue(url = CATALOGUE_URL): Promise<Lecture[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The lecture list could not be loaded (HTTP ${response.status}).`);
  const body: unknown = await response.json();
  if (!Array.isArray(body) || !body.every(isLecture)) throw new TypeError(`${url} is not a list of lectures.`);
  return body;
}
