import { describe, expect, it } from 'vitest';
import { AddressPolicy } from './address-policy';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it('refuses loopback, private, link-local and special ranges, in IPv4 and IPv6 spellings', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      '2002:c0a8:0101::1',
    ]) {
      expect(policy.permits(address), address).toBe(false);
    }
  });

  it('permits public addresses and refuses what is not an address', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(policy.permits(address), address).toBe(true);
    }
    expect(policy.permits('localhost')).toBe(false);
  });

  it('lets configured private ranges through', () => {
    const internal = new AddressPolicy(['10.1.2.0/24', '127.0.0.1']);
    expect(internal.permits('10.1.2.50')).toBe(true);
    expect(internal.permits('127.0.0.1')).toBe(true);
    expect(internal.permits('10.1.3.1')).toBe(false);
    expect(() => new AddressPolicy(['intranet'])).toThrow(/not a CIDR/);
  });
});
