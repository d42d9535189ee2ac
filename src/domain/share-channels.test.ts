import { describe, expect, it } from 'vitest';
import { isShareChannel, SHARE_CHANNELS, shareUrl } from './share-channels.ts';

const content = { link: 'https://vouch.example/r/ADA2', message: 'Join me & get $10:', subject: 'Northwind' };

describe('shareUrl', () => {
  it.each([
    [
      'email',
      'mailto:?subject=Northwind&body=Join%20me%20%26%20get%20%2410%3A%20https%3A%2F%2Fvouch.example%2Fr%2FADA2',
    ],
    ['sms', 'sms:?body=Join%20me%20%26%20get%20%2410%3A%20https%3A%2F%2Fvouch.example%2Fr%2FADA2'],
    [
      'whatsapp',
      'https://wa.me/?text=Join%20me%20%26%20get%20%2410%3A%20https%3A%2F%2Fvouch.example%2Fr%2FADA2',
    ],
    [
      'x',
      'https://x.com/intent/post?text=Join%20me%20%26%20get%20%2410%3A&url=https%3A%2F%2Fvouch.example%2Fr%2FADA2',
    ],
    ['facebook', 'https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fvouch.example%2Fr%2FADA2'],
    [
      'linkedin',
      'https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fvouch.example%2Fr%2FADA2',
    ],
    [
      'telegram',
      'https://t.me/share/url?url=https%3A%2F%2Fvouch.example%2Fr%2FADA2&text=Join%20me%20%26%20get%20%2410%3A',
    ],
  ] as const)('%s', (channel, url) => {
    expect(shareUrl(channel, content)).toBe(url);
  });

  it('knows its channels and nothing else', () => {
    expect(SHARE_CHANNELS.every(isShareChannel)).toBe(true);
    expect(isShareChannel('myspace')).toBe(false);
    expect(isShareChannel('toString')).toBe(false);
  });
});
