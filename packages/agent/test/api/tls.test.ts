import { copyFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RestApiServer } from '../../src/api/index.js';
import { primary } from './fixtures.js';
import { basic, FixedSource, rawRequest, RecordingActions, startApi, type Api } from './harness.js';
import { makeTestCerts, type TestCerts } from './tls-certs.js';

let certs: TestCerts;
let api: Api | undefined;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

interface Reply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function httpsCall(url: string, method: string, opts: { withClientCert?: boolean; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: certs.ca,
        headers: opts.headers,
        ...(opts.withClientCert ? { cert: certs.clientCert, key: certs.clientKey } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function tlsConfig(extra: object = {}): object {
  return { certfile: certs.serverCert, keyfile: certs.serverKey, cafile: certs.caFile, ...extra };
}

describe('TLS', () => {
  it('serves HTTPS with certfile and keyfile', async () => {
    api = await startApi(primary(), tlsConfig());
    expect(api.url.startsWith('https://')).toBe(true);
    expect(api.server.apiUrl).toBe('https://127.0.0.1:0/patroni');
    const res = await httpsCall(`${api.url}/patroni`, 'GET');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).role).toBe('primary');
    expect((await httpsCall(`${api.url}/reload`, 'POST')).status).toBe(202);
  });

  it('cuts off a head dripped over TLS at the headers deadline (408)', async () => {
    const server = await RestApiServer.start({
      config: { listen: '127.0.0.1:0', ...tlsConfig() },
      source: new FixedSource(primary()),
      actions: new RecordingActions(),
      timeouts: { headersMs: 300, idleMs: 60_000, lingerMs: 200 },
    });
    api = { server, url: server.url } as Api;
    const { port } = new URL(server.url);
    const started = Date.now();
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), ca: certs.ca }, () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
      const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 50);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Buffer.concat(chunks).toString('latin1'));
      });
      setTimeout(() => socket.destroy(), 5_000);
    });
    expect(text).toMatch(/^HTTP\/1\.[01] 408 /);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('sends the bare status line for HEAD over TLS', async () => {
    api = await startApi(primary(), tlsConfig());
    expect(await rawRequest(api.url, 'HEAD', '/primary', { ca: certs.ca })).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('opens an encrypted key with keyfile_password', async () => {
    api = await startApi(primary(), tlsConfig({ keyfile: certs.serverKeyEncrypted, keyfile_password: certs.keyPassword }));
    expect((await httpsCall(`${api.url}/primary`, 'GET')).status).toBe(200);
  });

  it('refuses to start with an unreadable certificate, naming the key', async () => {
    await expect(startApi(primary(), { certfile: `${certs.dir}/missing.crt` })).rejects.toThrow(/restapi\.certfile/);
  });

  it('adds https_extra_headers only under TLS', async () => {
    const headers = { http_extra_headers: { 'X-Frame-Options': 'DENY' }, https_extra_headers: { 'Strict-Transport-Security': 'max-age=31536000' } };
    api = await startApi(primary(), tlsConfig(headers));
    const secure = await httpsCall(`${api.url}/patroni`, 'GET');
    expect(secure.headers['x-frame-options']).toBe('DENY');
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000');
    await api.server.close();
    api = await startApi(primary(), headers);
    const plain = await fetch(`${api.url}/patroni`);
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

/** The serial number of the certificate the server presents, verified against `ca`. */
function servedSerial(url: string, ca: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

describe('certificate reload', () => {
  it('serves a renewed certificate after reloadCertificates()', async () => {
    const renewed = makeTestCerts();
    try {
      // Work on copies so the shared certificates stay as they are.
      const cert = `${certs.dir}/live.crt`;
      const key = `${certs.dir}/live.key`;
      copyFileSync(certs.serverCert, cert);
      copyFileSync(certs.serverKey, key);
      api = await startApi(primary(), { certfile: cert, keyfile: key, cafile: renewed.caFile });
      const before = await servedSerial(api.url, certs.ca);
      copyFileSync(renewed.serverCert, cert);
      copyFileSync(renewed.serverKey, key);
      await api.server.reloadCertificates();
      const after = await servedSerial(api.url, renewed.ca);
      expect(after).not.toBe(before);
    } finally {
      renewed.cleanup();
    }
  });
});

describe('client certificates', () => {
  it('verify_client: required refuses the handshake without a certificate', async () => {
    api = await startApi(primary(), tlsConfig({ verify_client: 'required' }));
    await expect(httpsCall(`${api.url}/patroni`, 'GET')).rejects.toThrow();
    expect((await httpsCall(`${api.url}/patroni`, 'GET', { withClientCert: true })).status).toBe(200);
  });

  it('verify_client: optional leaves reads open but demands a certificate for writes', async () => {
    api = await startApi(primary(), tlsConfig({ verify_client: 'optional' }));
    expect((await httpsCall(`${api.url}/patroni`, 'GET')).status).toBe(200);
    // The write resumes the read's TLS session, which Node reports as `authorized`
    // although no certificate was ever sent: the check must not be fooled by it.
    const denied = await httpsCall(`${api.url}/reload`, 'POST');
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('client certificate required');
    expect(api.actions.called('reload')).toEqual([]);
    expect((await httpsCall(`${api.url}/reload`, 'POST', { withClientCert: true })).status).toBe(202);
  });

  it('still asks for basic auth after the certificate', async () => {
    api = await startApi(primary(), tlsConfig({ verify_client: 'optional', authentication: { username: 'u', password: 'p' } }));
    expect((await httpsCall(`${api.url}/reload`, 'POST', { withClientCert: true })).status).toBe(401);
    const ok = await httpsCall(`${api.url}/reload`, 'POST', { withClientCert: true, headers: { authorization: basic('u', 'p') } });
    expect(ok.status).toBe(202);
  });
});
