/**
 * What a Content-Type says about whether an answer can be the media stored under a URL. An
 * origin that answers a media URL with a page (an expired session's login page, a captive portal,
 * an error page with status 200) must never have that page stored, or let it purge the file.
 */

/** `type/subtype`, lower case, without parameters: `video/mp4` for `Video/MP4; codecs="avc1"`. */
export function mediaTypeEssence(contentType: string): string {
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

/** An HTML page is never media: login walls, portals and error pages are served as HTML. */
export function isHtml(contentType: string): boolean {
  const essence = mediaTypeEssence(contentType);
  return essence === 'text/html' || essence === 'application/xhtml+xml';
}

/** A document type that error and login answers come as: text, JSON, XML. */
function isDocument(essence: string): boolean {
  return essence.startsWith('text/') || /[/+](json|xml)$/.test(essence);
}

/**
 * Whether an answer of type `answered` contradicts a stored file of type `stored`: a document
 * (text, JSON, XML: what error and login answers come as) where the stored file is none. Any other
 * change of type (`video/mp4` to `video/webm` or `audio/mp4`, `application/octet-stream` to
 * `video/mp4`) may be a new version of the file, or an origin that now labels it right: it is
 * judged by its validator, as every new version is.
 */
export function contradictsStoredType(stored: string, answered: string): boolean {
  const a = mediaTypeEssence(stored);
  const b = mediaTypeEssence(answered);
  return a !== b && !isDocument(a) && (isHtml(b) || isDocument(b));
}
