import { describe, expect, it } from 'vitest';
import { refererOrigin } from './referer-origin.ts';

describe('refererOrigin', () => {
  it('keeps the site of a web page and drops its path, query, fragment and credentials', () => {
    expect(refererOrigin('https://social.example/post/1?u=jane@example.com#top')).toBe(
      'https://social.example',
    );
    expect(refererOrigin('https://user:pass@Blog.Example:8443/a')).toBe('https://blog.example:8443');
    expect(refererOrigin('http://news.example')).toBe('http://news.example');
  });

  it("keeps an app referer's scheme and package", () => {
    expect(refererOrigin('android-app://com.google.android.gm/')).toBe('android-app://com.google.android.gm');
  });

  it('drops what names no site', () => {
    expect(refererOrigin(null)).toBeNull();
    expect(refererOrigin('')).toBeNull();
    expect(refererOrigin('not a url')).toBeNull();
    expect(refererOrigin('about:blank')).toBeNull();
    expect(refererOrigin('data:text/html,hi')).toBeNull();
  });
});
