/**
 * REST credentials are compared in constant time: the check in api/auth.ts hashes both
 * sides (HMAC-SHA256, so lengths are equal) and compares the digests with
 * crypto.timingSafeEqual — never with `===` on the raw header, which returns at the
 * first differing byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { basicAuthKey, checkAccess, type AccessPolicy } from '../../src/api/auth.js';

const SOURCE = readFileSync(fileURLToPath(new URL('../../src/api/auth.ts', import.meta.url)), 'utf8');

function request(authorization?: string): IncomingMessage {
  return { headers: authorization === undefined ? {} : { authorization }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

const policy: AccessPolicy = { allowlist: null, requireClientCert: false, basicAuthKey: basicAuthKey({ username: 'admin', password: 'Secr3t-REST-xyz' }) };

describe('REST basic auth: constant-time comparison', () => {
  it('compares HMAC digests of expected and given credentials with timingSafeEqual', () => {
    expect(SOURCE).toMatch(/import \{[^}]*\bcreateHmac\b[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/);
    const body = /function sameSecret\([^)]*\)[^{]*\{([\s\S]*?)\n\}/.exec(SOURCE)?.[1] ?? '';
    expect(body).toMatch(/createHmac\('sha256'/);
    expect(body).toMatch(/timingSafeEqual\(h\(expected\), h\(given\)\)/);
    // The credentials never meet a short-circuiting comparison.
    expect(SOURCE).not.toMatch(/[!=]==\s*(?:header|given|expected)\b|\b(?:header\.slice\(6\)|given|expected)\s*[!=]==/);
    expect(SOURCE).toMatch(/sameSecret\(policy\.basicAuthKey, header\.slice\(6\)\)/);
  });

  it('accepts the right credentials and refuses wrong ones of any length, including a shared prefix', async () => {
    const ok = `Basic ${Buffer.from('admin:Secr3t-REST-xyz').toString('base64')}`;
    expect(await checkAccess(request(ok), policy, null)).toBeNull();
    for (const wrong of ['admin:Secr3t-REST-xy', 'admin:Secr3t-REST-xyzz', 'admin:', '', 'x'.repeat(10_000), 'admin:Secr3t-REST-XYZ']) {
      const denied = await checkAccess(request(`Basic ${Buffer.from(wrong).toString('base64')}`), policy, null);
      expect(denied?.status, wrong.slice(0, 30)).toBe(401);
    }
    expect((await checkAccess(request(), policy, null))?.status).toBe(401);
    expect((await checkAccess(request(ok.replace('Basic', 'basic')), policy, null))?.status).toBe(401);
  });

  it('the 401 answer never echoes the credentials', async () => {
    const denied = await checkAccess(request(`Basic ${Buffer.from('admin:Wr0ng-xyz').toString('base64')}`), policy, null);
    expect(JSON.stringify(denied)).not.toMatch(/Secr3t|Wr0ng/);
  });
});
