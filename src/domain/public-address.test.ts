import { describe, expect, it } from 'vitest';
import { classifyAddress, describeAddress, isPublicAddress } from './public-address.ts';

describe('public addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['::ffff:7f00:1', 'ipv4Mapped'],
    ['::ffff:169.254.169.254', 'ipv4Mapped'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
    ['2002:a00:1::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo'],
    ['2001:db8::1', 'reserved'],
    ['4000::1', 'unallocated'],
    ['not-an-address', 'invalid'],
    ['0x7f.1', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict).toMatchObject({ public: false, range });
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '[2a00:1450:4001::200e]',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('names what an address carries inside when that is what is refused', () => {
    expect(describeAddress(classifyAddress('64:ff9b::7f00:1'))).toBe(
      '64:ff9b::7f00:1 (rfc6052 of 127.0.0.1, loopback)',
    );
    // Teredo's client address is stored inverted: 80ff:fffe is 127.0.0.1.
    expect(classifyAddress('2001:0:808:808:8000:63bf:80ff:fffe').embedded.map((e) => e.range)).toEqual([
      'unicast',
      'loopback',
    ]);
  });
});
