import { isIP } from 'node:net';
import { ipSubnet, type NormalizedEmail, normalizeEmail, normalizePhone } from '../../domain/identity.ts';
import { AppError } from '../../lib/errors.ts';
import { keyedHash } from '../../lib/keyed-hash.ts';
import type { IdentityKind } from '../../store/schema.ts';

/** What a client may tell about who is behind an event, beyond the customer id. */
export interface IdentityInput {
  email?: string | null | undefined;
  phone?: string | null | undefined;
  ip?: string | undefined;
  user_agent?: string | undefined;
  device_id?: string | undefined;
  payment_fingerprint?: string | undefined;
}

/** Field names of the event body, so errors name the field the client sent. */
export interface IdentityParams {
  email: string;
  phone: string;
  ip: string;
}

export interface IdentityKey {
  kind: IdentityKind;
  hash: string;
}

/** Normalised identities, each reduced to the keyed hash used for matching. */
export interface IdentityKeys {
  email: NormalizedEmail | null;
  emailHash: string | null;
  phoneHash: string | null;
  /** As sent: the vouch_device cookie is matched to clicks as is. */
  deviceId: string | null;
  deviceHash: string | null;
  ipHash: string | null;
  subnetHash: string | null;
  ipUaHash: string | null;
  paymentHash: string | null;
}

export type Hasher = (value: string) => string;

/** One hasher per instance secret; the kind is part of the hashed value, so kinds never collide. */
export function identityHasher(secret: string): Hasher {
  return (value) => keyedHash(secret, value);
}

export function emailHash(hash: Hasher, email: NormalizedEmail): string {
  return hash(`email:${email.address}`);
}

/** Checks and hashes what the client sent; an email or phone that cannot be a real one is a 400. */
export function identityKeys(hash: Hasher, input: IdentityInput, params: IdentityParams): IdentityKeys {
  const email = input.email ? normalizeEmail(input.email) : null;
  if (input.email && !email) {
    throw new AppError('invalid_email', `'${input.email}' is not a valid email address.`, params.email);
  }
  let phone: string | null = null;
  if (input.phone) {
    phone = normalizePhone(input.phone);
    if (!phone) {
      throw new AppError(
        'invalid_phone',
        'phone must be a valid number in international format (+14155550123).',
        params.phone,
      );
    }
  }
  const ip = input.ip ?? null;
  if (ip !== null && isIP(ip) === 0) {
    throw new AppError('invalid_ip', `'${ip}' is not an IPv4 or IPv6 address.`, params.ip);
  }
  const subnet = ip === null ? null : ipSubnet(ip);
  return {
    email,
    emailHash: email && emailHash(hash, email),
    phoneHash: phone && hash(`phone:${phone}`),
    deviceId: input.device_id ?? null,
    deviceHash: input.device_id ? hash(`device:${input.device_id}`) : null,
    ipHash: ip && hash(`ip:${ip}`),
    subnetHash: subnet && hash(`subnet:${subnet}`),
    ipUaHash: ip && input.user_agent ? hash(`ip_ua:${ip}|${input.user_agent}`) : null,
    paymentHash: input.payment_fingerprint ? hash(`payment:${input.payment_fingerprint}`) : null,
  };
}

/** The identities that link participant records and are remembered per participant. */
export function storedIdentities(keys: IdentityKeys): IdentityKey[] {
  const out: IdentityKey[] = [];
  if (keys.emailHash) out.push({ kind: 'email', hash: keys.emailHash });
  if (keys.phoneHash) out.push({ kind: 'phone', hash: keys.phoneHash });
  if (keys.deviceHash) out.push({ kind: 'device', hash: keys.deviceHash });
  if (keys.ipUaHash) out.push({ kind: 'ip_ua', hash: keys.ipUaHash });
  if (keys.paymentHash) out.push({ kind: 'payment', hash: keys.paymentHash });
  return out;
}
