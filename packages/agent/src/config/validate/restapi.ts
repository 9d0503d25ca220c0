import { joinPath } from '@pgwarden/core';
import type { CtlConfig, RestApiLocalConfig } from '../local-config.js';
import { checkHostPort, checkReachableFromPeers } from './addresses.js';
import type { SectionContext } from './context.js';
import { checkCredentials } from './credentials.js';

function stringMap(ctx: SectionContext, path: string, value: unknown): Record<string, string> {
  const map = ctx.checker.record(path, value) ?? {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    // `out['__proto__'] = text` would be dropped silently; such a name is refused instead.
    if (!ctx.checker.ownKey(joinPath(path, key), key)) continue;
    const text = ctx.checker.string(joinPath(path, key), item, { allowNumber: true });
    if (text !== undefined) out[key] = text;
  }
  return out;
}

export function checkRestApi(ctx: SectionContext, value: unknown): RestApiLocalConfig | undefined {
  const { checker } = ctx;
  if (value === undefined || value === null) {
    checker.missing('restapi', 'restapi: {listen: 0.0.0.0:8008, connect_address: 10.0.0.1:8008}');
    return undefined;
  }
  const r = checker.record('restapi', value);
  if (!r) return undefined;
  if (r.listen === undefined || r.listen === null) checker.missing('restapi.listen', 'restapi.listen: 0.0.0.0:8008');
  if (r.connect_address === undefined || r.connect_address === null) checker.missing('restapi.connect_address', 'restapi.connect_address: 10.0.0.1:8008');
  const listen = checkHostPort(checker, 'restapi.listen', r.listen, { listen: true, example: '0.0.0.0:8008' });
  const connectAddress = checkHostPort(checker, 'restapi.connect_address', r.connect_address, { example: '10.0.0.1:8008' });
  if (ctx.mode === 'full') checkReachableFromPeers(checker, 'restapi.connect_address', connectAddress, r.connect_address);
  const authentication = checkCredentials(ctx, 'restapi.authentication', r.authentication);
  const str = (key: string): string | undefined => checker.string(`restapi.${key}`, r[key]);
  const certfile = str('certfile');
  const keyfile = str('keyfile');
  const keyfilePassword = str('keyfile_password');
  const cafile = str('cafile');
  const ciphers = str('ciphers');
  const verifyClient = checker.oneOf('restapi.verify_client', r.verify_client, ['none', 'optional', 'required'] as const) ?? 'none';
  if (verifyClient !== 'none' && !certfile) {
    checker.issue('restapi.verify_client', r.verify_client, 'needs TLS; set restapi.certfile (and cafile for the client CA) or use none');
  }
  const allowlist = checker.stringList('restapi.allowlist', r.allowlist) ?? [];
  const allowlistIncludeMembers = checker.bool('restapi.allowlist_include_members', r.allowlist_include_members) ?? false;
  const requestQueueSize = checker.int('restapi.request_queue_size', r.request_queue_size, { min: 0, max: 4096 }) ?? 5;
  const httpExtraHeaders = stringMap(ctx, 'restapi.http_extra_headers', r.http_extra_headers);
  const httpsExtraHeaders = stringMap(ctx, 'restapi.https_extra_headers', r.https_extra_headers);
  if (!listen || !connectAddress) return undefined;
  return {
    listen,
    connectAddress,
    ...(authentication && { authentication }),
    ...(certfile !== undefined && { certfile }),
    ...(keyfile !== undefined && { keyfile }),
    ...(keyfilePassword !== undefined && { keyfilePassword }),
    ...(cafile !== undefined && { cafile }),
    ...(ciphers !== undefined && { ciphers }),
    verifyClient,
    allowlist,
    allowlistIncludeMembers,
    httpExtraHeaders,
    httpsExtraHeaders,
    requestQueueSize,
  };
}

export function checkCtl(ctx: SectionContext, value: unknown): CtlConfig {
  const { checker } = ctx;
  const c = checker.record('ctl', value) ?? {};
  const authentication = checkCredentials(ctx, 'ctl.authentication', c.authentication);
  const str = (key: string): string | undefined => checker.string(`ctl.${key}`, c[key]);
  const cacert = str('cacert');
  const certfile = str('certfile');
  const keyfile = str('keyfile');
  const keyfilePassword = str('keyfile_password');
  return {
    ...(authentication && { authentication }),
    insecure: checker.bool('ctl.insecure', c.insecure) ?? false,
    ...(cacert !== undefined && { cacert }),
    ...(certfile !== undefined && { certfile }),
    ...(keyfile !== undefined && { keyfile }),
    ...(keyfilePassword !== undefined && { keyfilePassword }),
  };
}
