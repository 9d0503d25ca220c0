import { describe, expect, it } from 'vitest';
import { defaultDynamicSettings } from '@pgwarden/core';
import { toLocalPostgresConfig } from '../../src/daemon/postgres-config.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { adapters, VALID_YAML } from './helpers.js';

/**
 * Issue 20: the libpq settings of postgresql.authentication.<role> were validated, then
 * dropped before they reached the controller. They must arrive, per role, untouched.
 */
describe('toLocalPostgresConfig: postgresql.authentication libpq settings', () => {
  it('passes every role’s sslmode, sslcert, sslkey, sslpassword, sslrootcert… to the controller', () => {
    const raw = parsePatroniYaml(VALID_YAML, 'test') as Record<string, any>;
    raw.postgresql.authentication = {
      superuser: { username: 'postgres', password: 'su-pass', sslmode: 'require', channel_binding: 'require' },
      replication: {
        username: 'replicator',
        password: 'rep-pass',
        sslmode: 'verify-ca',
        sslcert: '/etc/pg/replicator.crt',
        sslkey: '/etc/pg/replicator.key',
        sslpassword: 'key-pass',
        sslrootcert: '/etc/pg/ca.crt',
        sslcrl: '/etc/pg/crl.pem',
        sslcrldir: '/etc/pg/crl.d',
        gssencmode: 'disable',
      },
      rewind: { username: 'rewinder', sslmode: 'verify-full', sslrootcert: '/etc/pg/ca.crt' },
    };
    const result = validateConfig(raw, { adapters });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const pg = toLocalPostgresConfig(result.config, defaultDynamicSettings(), null);
    expect(pg.authentication.superuser).toEqual({ username: 'postgres', password: 'su-pass', sslmode: 'require', channel_binding: 'require' });
    expect(pg.authentication.replication).toEqual({
      username: 'replicator',
      password: 'rep-pass',
      sslmode: 'verify-ca',
      sslcert: '/etc/pg/replicator.crt',
      sslkey: '/etc/pg/replicator.key',
      sslpassword: 'key-pass',
      sslrootcert: '/etc/pg/ca.crt',
      sslcrl: '/etc/pg/crl.pem',
      sslcrldir: '/etc/pg/crl.d',
      gssencmode: 'disable',
    });
    expect(pg.authentication.rewind).toEqual({ username: 'rewinder', sslmode: 'verify-full', sslrootcert: '/etc/pg/ca.crt' });
  });

  it('leaves the settings out when none are configured (primary_conninfo keeps its prefer defaults)', () => {
    const result = validateConfig(parsePatroniYaml(VALID_YAML, 'test'), { adapters });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const pg = toLocalPostgresConfig(result.config, defaultDynamicSettings(), null);
    expect(Object.keys(pg.authentication.replication).sort()).toEqual(
      Object.keys(result.config.postgresql.authentication.replication).filter((k) => k !== 'options').sort(),
    );
    expect(pg.authentication.rewind).toBeUndefined();
  });
});
