/**
 * TLS for the REST API: on when `restapi.certfile` is set (spec/api.md §1.8).
 * `verify_client: required` makes the handshake demand a certificate signed by `cafile`;
 * `optional` asks for one and leaves it to the write endpoints to insist.
 */
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { PgwardenError } from '@pgwarden/core';
import type { RestApiConfig } from './types.js';

export function tlsEnabled(config: RestApiConfig): boolean {
  return Boolean(config.certfile);
}

async function readPem(path: string, key: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new PgwardenError('invalid-config', `restapi.${key}: cannot read ${path}`, { cause });
  }
}

export async function tlsOptions(config: RestApiConfig): Promise<ServerOptions> {
  const certfile = config.certfile!;
  const cert = await readPem(certfile, 'certfile');
  // As in Python's load_cert_chain, the key may live in the certificate file.
  const key = await readPem(config.keyfile ?? certfile, config.keyfile ? 'keyfile' : 'certfile');
  const verify = config.verify_client ?? 'none';
  return {
    cert,
    key,
    ...(config.keyfile_password !== undefined ? { passphrase: config.keyfile_password } : {}),
    ...(config.cafile ? { ca: await readPem(config.cafile, 'cafile') } : {}),
    ...(config.ciphers ? { ciphers: config.ciphers } : {}),
    requestCert: verify !== 'none',
    rejectUnauthorized: verify === 'required',
  };
}
