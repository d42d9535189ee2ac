import { describe, expect, it } from 'vitest';
import {
  ipSubnet,
  isSequential,
  limitedClient,
  looksRandom,
  normalizeEmail,
  normalizePhone,
  PLUS_ADDRESSING_DOMAINS,
  sequenceStem,
} from './identity.ts';

describe('email normalisation', () => {
  it.each([
    ['Jane.Doe+shop@GoogleMail.com', 'janedoe@gmail.com'],
    ['j.a.n.e.doe@gmail.com', 'janedoe@gmail.com'],
    ['jane.doe+news+weekly@gmail.com', 'janedoe@gmail.com'],
    ['jane+shop@outlook.com', 'jane@outlook.com'],
    ['Jane.Doe+work@Hotmail.com', 'jane.doe@hotmail.com'],
    ['jane+x@proton.me', 'jane@proton.me'],
    ['jane-shopping@yahoo.com', 'jane@yahoo.com'],
    ['jane-x-y@ymail.com', 'jane@ymail.com'],
  ])('treats %s as the same mailbox as %s', (raw, address) => {
    expect(normalizeEmail(raw)?.address).toBe(address);
  });

  it.each([
    ['a+b@example.com', 'a+b@example.com'],
    ['jane.doe@outlook.com', 'jane.doe@outlook.com'],
    ['mary-jane@example.com', 'mary-jane@example.com'],
    ['mary-jane@gmail.com', 'mary-jane@gmail.com'],
  ])('keeps %s as is where the provider gives no meaning to the symbol', (raw, address) => {
    expect(normalizeEmail(raw)?.address).toBe(address);
  });

  it('returns the canonical local part and domain separately', () => {
    expect(normalizeEmail('Jane.Doe+shop@GoogleMail.com')).toEqual({
      address: 'janedoe@gmail.com',
      local: 'janedoe',
      domain: 'gmail.com',
    });
  });

  it('folds fullwidth look-alikes with NFKC, including the at sign', () => {
    expect(normalizeEmail('ｊａｎｅ@example.com')?.address).toBe('jane@example.com');
    expect(normalizeEmail('ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ')?.address).toBe('jane@example.com');
  });

  it('trims surrounding whitespace and lower-cases', () => {
    expect(normalizeEmail('  Jane@Example.COM \n')?.address).toBe('jane@example.com');
  });

  it.each([
    ['jane@münchen.de', 'jane@xn--mnchen-3ya.de'],
    ['jane@Bücher.example', 'jane@xn--bcher-kva.example'],
    ['jane@xn--mnchen-3ya.de', 'jane@xn--mnchen-3ya.de'],
  ])('stores the Unicode domain of %s as punycode', (raw, address) => {
    expect(normalizeEmail(raw)?.address).toBe(address);
  });

  it('lists the providers whose + tags are removed', () => {
    expect(PLUS_ADDRESSING_DOMAINS.has('gmail.com')).toBe(true);
    expect(PLUS_ADDRESSING_DOMAINS.has('example.com')).toBe(false);
  });

  it.each([
    ['no-at', 'no at sign'],
    ['a@b', 'a domain without a dot'],
    ['a@@b.com', 'two at signs'],
    ['a@b@c.com', 'two at signs apart'],
    ['@x.com', 'an empty local part'],
    ['a b@x.com', 'whitespace inside'],
    ['a@x .com', 'whitespace in the domain'],
    ['a@x_y.com', 'an underscore in the domain'],
    ['a@-x.com', 'a label starting with a hyphen'],
    ['a@x..com', 'an empty label'],
    ['a@x.com.', 'a trailing dot'],
    ['a@☃.com', 'a symbol in the domain'],
    [`${'a'.repeat(65)}@x.com`, 'a local part over 64 characters'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 'over 254 characters'],
    ['+shop@gmail.com', 'nothing left once the tag is removed'],
    ['-alias@yahoo.com', 'nothing left once the alias is removed'],
    ['...@gmail.com', 'nothing left once Gmail dots are removed'],
    ['', 'an empty string'],
  ])('rejects %s (%s)', (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it('accepts a local part of exactly 64 characters', () => {
    expect(normalizeEmail(`${'a'.repeat(64)}@x.com`)?.local).toHaveLength(64);
  });
});

describe('phone normalisation', () => {
  it.each([
    ['(415) 555-0123', 'US', '+14155550123'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
  ] as const)('writes %s (default country %s) as %s', (raw, country, e164) => {
    expect(normalizePhone(raw, country)).toBe(e164);
  });

  it.each([
    ['12', 'US'],
    ['12', undefined],
    ['not a phone', 'US'],
    ['(415) 555-0123', undefined],
    ['', 'US'],
  ] as const)('rejects %s (default country %s)', (raw, country) => {
    expect(normalizePhone(raw, country)).toBeNull();
  });
});

describe('IP subnets for bulk sign-up rules', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['10.0.0.1', '10.0.0.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0DB8:ABCD:0012:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['2001:0:db8::1', '2001:0:db8::/48'],
    ['::1', '::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['64:ff9b::198.51.100.7', '64:ff9b::/48'],
  ])('groups %s into %s', (ip, subnet) => {
    expect(ipSubnet(ip)).toBe(subnet);
  });

  it.each([
    ['::ffff:198.51.100.7', '198.51.100.0/24'],
    ['::FFFF:198.51.100.7', '198.51.100.0/24'],
    ['::ffff:c633:6407', '198.51.100.0/24'],
  ])('treats the IPv4-mapped %s as the IPv4 client %s', (ip, subnet) => {
    expect(ipSubnet(ip)).toBe(subnet);
  });

  it.each(['', 'localhost', '256.1.1.1', '1.2.3', '203.0.113.0/24', ' 1.2.3.4', '2001:db8:::1', 'gggg::1'])(
    'has no subnet for %j',
    (ip) => {
      expect(ipSubnet(ip)).toBeNull();
    },
  );
});

describe('synthetic identity shapes', () => {
  it.each(['xk7qv9zt2mpl', 'a8f3k2j9d0s1', '5f3a9c2e7b1d', 'bcdfghjklmnp', 'kqzavrtxmbol', 'qwrtzpxkvbnm'])(
    'flags %s as machine-generated',
    (local) => {
      expect(looksRandom(local)).toBe(true);
    },
  );

  it.each([
    'jane.doe',
    'john.smith1985',
    'mariagarcia',
    'j.doe',
    'info',
    'xk7qv9z',
    'x_k.7-q9z',
    'lindstrom',
    'hirschfeld1980',
    'matt99schmidt',
    'knightsbridge',
    'john2smith4',
    'александр.иванов',
  ])('treats %s as human', (local) => {
    expect(looksRandom(local)).toBe(false);
  });

  it.each([
    ['user123', { stem: 'user', number: 123 }],
    ['jane.doe07', { stem: 'jane.doe', number: 7 }],
    ['promo099', { stem: 'promo', number: 99 }],
    ['a1', { stem: 'a', number: 1 }],
    ['x123456789', { stem: 'x', number: 123456789 }],
  ])('splits %s into a stem and a number', (local, expected) => {
    expect(sequenceStem(local)).toEqual(expected);
  });

  it.each(['jane', '123', 'x1234567890', 'user1a', ''])('finds no sequence in %j', (local) => {
    expect(sequenceStem(local)).toBeNull();
  });

  it.each([
    ['promo101', ['promo102', 'promo099']],
    ['promo101', ['jane', 'promo091', 'promo095', 'other7']],
    ['promo101', ['promo111', 'promo105']],
    ['jane.doe07', ['jane.doe08', 'jane.doe9', 'jane.doe40']],
  ])('sees %s as scripted next to %j', (local, others) => {
    expect(isSequential(local, others)).toBe(true);
  });

  it.each([
    ['promo101', ['promo102'], 'only one neighbour'],
    ['promo101', ['promo150', 'promo160'], 'numbers far apart'],
    ['promo101', ['promo091', 'promo112'], 'neighbours 21 apart from each other'],
    ['promo101', ['promox102', 'promo_103'], 'different stems'],
    ['promo101', ['promo101', 'promo101', 'promo102'], 'repeats of itself'],
    ['jane', ['jane1', 'jane2'], 'no number of its own'],
  ])('does not see %s as scripted next to %j (%s)', (local, others) => {
    expect(isSequential(local, others)).toBe(false);
  });
});

describe('limitedClient', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['not an address', 'not an address'],
  ])('counts %s as %s', (ip, client) => {
    expect(limitedClient(ip)).toBe(client);
  });

  it('counts every address of one /64 as one client, and the next /64 as another', () => {
    const clients = new Set(
      ['2001:db8:0:7::1', '2001:db8:0:7::ffff', '2001:db8:0:7:1:2:3:4'].map(limitedClient),
    );
    expect(clients.size).toBe(1);
    expect(limitedClient('2001:db8:0:8::1')).not.toBe(limitedClient('2001:db8:0:7::1'));
  });
});
