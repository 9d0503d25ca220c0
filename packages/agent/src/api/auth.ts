/**
 * Access checks on protected endpoints (every POST, PUT, PATCH and DELETE), in Patroni's
 * order (spec/api.md §1.8): the allowlist (403), a client certificate under TLS with
 * `verify_client` optional or required (403), then basic auth (401).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Cluster } from '@pgwarden/core';
import type { Allowlist } from './allowlist.js';

export interface AccessDenied {
  readonly status: 401 | 403;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface AccessPolicy {
  readonly allowlist: Allowlist | null;
  /** TLS with `verify_client: optional|required`: writes need a verified client certificate. */
  readonly requireClientCert: boolean;
  /** base64 of `user:pass`, or null when no authentication is configured. */
  readonly basicAuthKey: string | null;
}

export function basicAuthKey(auth: { readonly username: string; readonly password: string } | undefined): string | null {
  return auth ? Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64') : null;
}

/** Constant-time comparison; hashing first makes the lengths equal. */
function sameSecret(expected: string, given: string): boolean {
  const h = (s: string): Buffer => createHmac('sha256', 'pgwarden-restapi').update(s).digest();
  return timingSafeEqual(h(expected), h(given));
}

/**
 * A resumed TLS session reports `authorized` even when its first handshake carried no
 * certificate, so the peer certificate must be checked as well (Patroni checks
 * `getpeercert()`).
 */
function hasVerifiedClientCert(socket: TLSSocket): boolean {
  if (!socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return Boolean(cert && Object.keys(cert).length > 0);
}

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Patroni"' };

export async function checkAccess(req: IncomingMessage, policy: AccessPolicy, cluster: Cluster | null): Promise<AccessDenied | null> {
  if (policy.allowlist && !(await policy.allowlist.allows(req.socket.remoteAddress ?? '', cluster))) {
    return { status: 403, message: 'Access is denied', headers: {} };
  }
  if (policy.requireClientCert && !hasVerifiedClientCert(req.socket as TLSSocket)) {
    return { status: 403, message: 'client certificate required', headers: {} };
  }
  if (policy.basicAuthKey !== null) {
    const header = req.headers.authorization;
    if (header === undefined) return { status: 401, message: 'no auth header received', headers: CHALLENGE };
    // The scheme is matched case-sensitively, as Patroni does.
    if (!header.startsWith('Basic ') || !sameSecret(policy.basicAuthKey, header.slice(6))) {
      return { status: 401, message: 'not authenticated', headers: CHALLENGE };
    }
  }
  return null;
}
