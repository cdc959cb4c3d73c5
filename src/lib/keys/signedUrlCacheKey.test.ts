import { describe, expect, it } from 'vitest';
import { signedUrlCacheKey, stripSigningParams } from './signedUrlCacheKey.js';

describe('stripSigningParams', () => {
  it.each([
    [
      'S3 Signature Version 4',
      'https://bucket.s3.eu-west-1.amazonaws.com/lectures/a.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261203%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261203T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=abc123&x-id=GetObject',
      'https://bucket.s3.eu-west-1.amazonaws.com/lectures/a.mp4',
    ],
    [
      'S3 with a session token, lower-case names',
      'https://b.s3.amazonaws.com/a.mp4?x-amz-security-token=t&x-amz-signature=s',
      'https://b.s3.amazonaws.com/a.mp4',
    ],
    ['S3 Signature Version 2', 'https://b.s3.amazonaws.com/a.mp4?AWSAccessKeyId=AKIA&Expires=1700000000&Signature=xyz%3D', 'https://b.s3.amazonaws.com/a.mp4'],
    [
      'CloudFront',
      'https://d111111abcdef8.cloudfront.net/v/a.mp4?Expires=1700000000&Signature=abc~def&Key-Pair-Id=K2JCJMDEHXQW5F',
      'https://d111111abcdef8.cloudfront.net/v/a.mp4',
    ],
    ['CloudFront, custom policy', 'https://d1.cloudfront.net/a.mp4?Policy=eyJ&Signature=s&Key-Pair-Id=K', 'https://d1.cloudfront.net/a.mp4'],
    [
      'Google Cloud Storage V4',
      'https://storage.googleapis.com/b/a.mp4?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=c&X-Goog-Date=d&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=s',
      'https://storage.googleapis.com/b/a.mp4',
    ],
    ['a token', 'https://app.example/media/a.mp4?token=eyJhbGciOi', 'https://app.example/media/a.mp4'],
    ['Akamai', 'https://cdn.example/a.mp4?hdnts=exp%3D1~hmac%3Dx', 'https://cdn.example/a.mp4'],
    ['other parameters kept, in order', 'https://cdn.example/a.mp4?lecture=3&token=t&quality=hd', 'https://cdn.example/a.mp4?lecture=3&quality=hd'],
    ['a fragment dropped', 'https://cdn.example/a.mp4?token=t#t=10', 'https://cdn.example/a.mp4'],
    ['nothing to strip', 'https://cdn.example/a.mp4?lecture=3', 'https://cdn.example/a.mp4?lecture=3'],
    ['other parameters keep their bytes as written', 'https://cdn.example/a.mp4?q=a%20b+c&token=t&x=%2C', 'https://cdn.example/a.mp4?q=a%20b+c&x=%2C'],
    ['an encoded signing parameter name', 'https://cdn.example/a.mp4?%74oken=t&v=1', 'https://cdn.example/a.mp4?v=1'],
    ['a malformed escape kept as it is', 'https://cdn.example/a.mp4?bad=%E0%A4%A&token=t', 'https://cdn.example/a.mp4?bad=%E0%A4%A'],
    ['empty pieces left as written when nothing is stripped', 'https://cdn.example/a.mp4?a=1&&b=2', 'https://cdn.example/a.mp4?a=1&&b=2'],
    ['no query', 'https://cdn.example/a.mp4', 'https://cdn.example/a.mp4'],
  ])('%s', (_name, url, key) => {
    expect(stripSigningParams(url)).toBe(key);
    // Applied to its own result, it gives the same key again.
    expect(stripSigningParams(key)).toBe(key);
  });

  it('gives one key for the same file under two signatures, and two for two files', () => {
    const a1 = 'https://d1.cloudfront.net/a.mp4?Expires=1&Signature=one&Key-Pair-Id=K';
    const a2 = 'https://d1.cloudfront.net/a.mp4?Expires=2&Signature=two&Key-Pair-Id=K';
    const b = 'https://d1.cloudfront.net/b.mp4?Expires=1&Signature=one&Key-Pair-Id=K';
    expect(stripSigningParams(a1)).toBe(stripSigningParams(a2));
    expect(stripSigningParams(a1)).not.toBe(stripSigningParams(b));
  });

  it('drops the parameters an app names too, without regard to case', () => {
    const sas = 'https://acct.blob.core.windows.net/c/a.mp4?sv=2022-11-02&se=2026-12-04&sr=b&sp=r&sig=abc';
    expect(stripSigningParams(sas, { params: ['SV', 'se', 'sr', 'sp', 'sig'] })).toBe('https://acct.blob.core.windows.net/c/a.mp4');
  });

  it('returns what is not an absolute URL as it is', () => {
    expect(stripSigningParams('/media/a.mp4?token=x')).toBe('/media/a.mp4?token=x');
  });
});

describe('signedUrlCacheKey', () => {
  it('keys a request by its URL without the signing parameters', () => {
    expect(signedUrlCacheKey(new Request('https://cdn.example/a.mp4?token=t&v=2'))).toBe('https://cdn.example/a.mp4?v=2');
  });
});
