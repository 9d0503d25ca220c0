/**
 * `query` checks its arguments as patronictl does before it looks at the cluster.
 * Running SQL against a real cluster is tested in test/e2e/ctl.test.ts.
 */
import { expect, it } from 'vitest';
import { runCtl } from './support/run-ctl.js';

it('needs exactly one of --command and --file, and not both --role and --member', async () => {
  const [neither, both, roleAndMember] = await Promise.all([
    runCtl(['--dcs-url', 'etcd3://127.0.0.1:9', 'query', 'c']),
    runCtl(['--dcs-url', 'etcd3://127.0.0.1:9', 'query', 'c', '-c', 'SELECT 1', '-f', '/dev/null']),
    runCtl(['--dcs-url', 'etcd3://127.0.0.1:9', 'query', 'c', '-c', 'SELECT 1', '-r', 'replica', '-m', 'node1']),
  ]);
  expect(neither).toMatchObject({ code: 1, stderr: 'Error: You need to specify either --command or --file\n' });
  expect(both.stderr).toBe('Error: --file and --command are mutually exclusive options\n');
  expect(roleAndMember.stderr).toBe('Error: --role and --member are mutually exclusive options\n');
});
