/** Trials count the fence guard's stops by why, from each node's guard report. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { guardFirings } from '../../chaos/guard-firings.js';

const root = mkdtempSync(join(tmpdir(), 'guard-firings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('counts `fired` lines by why across nodes; a node without a guard counts nothing', () => {
  const report = (node: string, lines: string[]): string => {
    const dir = join(root, node);
    mkdirSync(join(dir, 'fence'), { recursive: true });
    writeFileSync(join(dir, 'fence', 'report'), `${lines.join('\n')}\n`);
    return dir;
  };
  const n1 = report('n1', ['100 started pid=5', '230 fired heartbeat-late deadline=229 pm=7', '231 signal TERM', '240 done fast']);
  const n2 = report('n2', ['100 started pid=6', '500 fired agent-stopped deadline=499 pm=8', '900 fired heartbeat-late deadline=899 pm=9']);
  expect(guardFirings([n1, n2, join(root, 'n3')])).toEqual({ 'heartbeat-late': 2, 'agent-stopped': 1 });
});
