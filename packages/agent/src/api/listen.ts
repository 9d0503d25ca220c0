/**
 * `restapi.listen` is `host:port`; the last colon splits, so bare IPv6 works, and a
 * host of `*` or nothing means every address.
 */
import { PgwardenError } from '@pgwarden/core';

export interface ListenAddress {
  /** undefined: all addresses (dual-stack where the system has it). */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListen(listen: string): ListenAddress {
  const at = listen.lastIndexOf(':');
  const hostPart = at < 0 ? '' : listen.slice(0, at).trim();
  const portPart = at < 0 ? '' : listen.slice(at + 1).trim();
  const port = /^\d+$/.test(portPart) ? Number(portPart) : NaN;
  if (at < 0 || !Number.isInteger(port) || port > 65535) {
    throw new PgwardenError('invalid-config', `Invalid "restapi" config: expected <HOST>:<PORT> for "listen", but got "${listen}"`);
  }
  const host = hostPart.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' || host === '*' ? undefined : host, port };
}
