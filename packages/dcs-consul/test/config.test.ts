import { describe, expect, it } from 'vitest';
import { parseConsulSection } from '../src/index.js';

describe('parseConsulSection', () => {
  it('reads host:port, defaulting the port to 8500', () => {
    const a = parseConsulSection({ host: '10.0.0.5:8501' });
    const b = parseConsulSection({ host: 'consul.local' });
    expect(a.ok && [a.value.host, a.value.port, a.value.scheme]).toEqual(['10.0.0.5', 8501, 'http']);
    expect(b.ok && b.value.port).toBe(8500);
  });

  it('takes scheme, host and port from url', () => {
    const r = parseConsulSection({ url: 'https://consul.local:8443', token: 't', dc: 'eu1', consistency: 'consistent', checks: 'serfHealth,web' });
    expect(r.ok && r.value).toMatchObject({ scheme: 'https', host: 'consul.local', port: 8443, token: 't', dc: 'eu1', consistency: 'consistent', checks: ['serfHealth', 'web'] });
  });

  it('names each bad key, masks the token, and says how to fix it', () => {
    const r = parseConsulSection({ consistency: 'eventual', token: ['secret'], register_service: 'perhaps' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = new Map(r.issues.map((i) => [i.path, i]));
    expect([...byPath.keys()].sort()).toEqual(['consul', 'consul.consistency', 'consul.register_service', 'consul.token']);
    expect(byPath.get('consul.token')!.value).toBe('******');
    expect(byPath.get('consul')!.reason).toContain('`host`');
    expect(byPath.get('consul.consistency')!.reason).toBe('must be default, consistent or stale');
  });
});
