import { afterEach, describe, expect, it } from 'vitest';
import { primary } from './fixtures.js';
import { startApi, type Api } from './harness.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

describe('GET /metrics: versions', () => {
  it('patroni_version is the protocol version; pgwarden_version_info carries pgwarden\'s own release', async () => {
    api = await startApi(primary({ version: '3.3.1', pgwardenVersion: '0.1.0' }));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toContain('patroni_version{scope="demo",name="node1"} 030301\n');
    expect(text).toContain('pgwarden_version_info{scope="demo",name="node1",version="0.1.0"} 1\n');
    expect(text).toContain('# TYPE pgwarden_version_info gauge\n');
  });
});
