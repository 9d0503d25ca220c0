/**
 * A reloaded `restapi` section replaces the REST API server: a new port is bound before
 * the old server closes; on the same port the old one closes first and, should the new
 * settings fail to start, the old ones are started again.
 */
import { freePort } from '@pgwarden/testkit';
import { describe, expect, it } from 'vitest';
import { RestApiServer, type RestApiOptions } from '../../src/api/index.js';
import { restartApi } from '../../src/daemon/restart-api.js';
import { basic, FixedSource, RecordingActions } from '../api/harness.js';
import { primary } from '../api/fixtures.js';
import { memoryLogger } from './helpers.js';

function options(listen: string, extra: Partial<RestApiOptions['config']> = {}): RestApiOptions {
  return { config: { listen, ...extra }, source: new FixedSource(primary()), actions: new RecordingActions() };
}

async function status(url: string, init: RequestInit = {}): Promise<number | null> {
  try {
    return (await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return null;
  }
}

describe('restartApi', () => {
  it('on the same port: new authentication is in force after the restart', async () => {
    const port = await freePort();
    const before = options(`127.0.0.1:${port}`);
    const old = await RestApiServer.start(before);
    expect(await status(`http://127.0.0.1:${port}/restart`, { method: 'POST', body: '{}' })).not.toBe(401);
    const next = options(`127.0.0.1:${port}`, { authentication: { username: 'admin', password: 'secret' } });
    const server = await restartApi(old, next, memoryLogger(), before);
    try {
      expect(await status(`http://127.0.0.1:${port}/restart`, { method: 'POST', body: '{}' })).toBe(401);
      expect(await status(`http://127.0.0.1:${port}/restart`, { method: 'POST', body: '{}', headers: { authorization: basic('admin', 'secret') } })).not.toBe(401);
    } finally {
      await server.close();
    }
  });

  it('on a new port: the new address answers and the old one is closed', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const before = options(`127.0.0.1:${a}`);
    const server = await restartApi(await RestApiServer.start(before), options(`127.0.0.1:${b}`), memoryLogger(), before);
    try {
      expect(await status(`http://127.0.0.1:${b}/liveness`)).toBe(200);
      expect(await status(`http://127.0.0.1:${a}/liveness`)).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('settings that cannot start leave the old ones serving', async () => {
    const port = await freePort();
    const before = options(`127.0.0.1:${port}`);
    const logger = memoryLogger();
    const broken = options(`127.0.0.1:${port}`, { certfile: '/nonexistent/cert.pem', keyfile: '/nonexistent/key.pem' });
    const server = await restartApi(await RestApiServer.start(before), broken, logger, before);
    try {
      expect(server.protocol).toBe('http');
      expect(await status(`http://127.0.0.1:${port}/liveness`)).toBe(200);
      expect(logger.lines.some((l) => /ERROR: REST API could not restart with the new settings .*restarting with the old ones/.test(l))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
