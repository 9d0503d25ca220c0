/** docs/patroni-keys.md, generated from the key table (`pnpm docs:keys`). */
import { PATRONI_KEYS } from './table.js';
import type { PatroniKey, PatroniKeySection } from './types.js';

const SECTION_TITLES: Readonly<Record<PatroniKeySection, string>> = {
  local: 'patroni.yml',
  dynamic: 'Dynamic configuration (`bootstrap.dcs` and `/config`)',
  environment: 'Environment variables',
};

const STATUS_WORDS = { used: 'used', warned: 'warning, no effect', refused: 'refused' } as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** `sets \`log.mode\``, or for a variable that is no single key, what it holds: `(the config file pgwardenctl reads)`. */
function target(sets: string): string {
  return sets.startsWith('(') ? sets.slice(1, -1) : `sets \`${sets}\``;
}

function row(key: PatroniKey): string {
  const what = key.status === 'used' ? (key.sets ? target(key.sets) : '') : (key.reason ?? '');
  const via = key.sets && key.status !== 'used' ? `${target(key.sets)}: ` : '';
  return `| \`${cell(key.path)}\` | ${STATUS_WORDS[key.status]} | ${cell(via + what)} |`;
}

export function renderPatroniKeysDoc(keys: readonly PatroniKey[] = PATRONI_KEYS): string {
  const count = (status: PatroniKey['status']): number => keys.filter((k) => k.status === status).length;
  const lines: string[] = [
    '# Patroni 4.1 configuration keys in pgwarden',
    '',
    '<!-- Generated from packages/agent/src/config/patroni-keys by `pnpm docs:keys`; edit the table there, not this file. -->',
    '',
    'Every key of Patroni 4.1’s configuration reference — patroni.yml, the dynamic configuration and',
    'the `PATRONI_*` environment variables — and what pgwarden does with it:',
    '',
    '- **used**: read and honoured as in Patroni.',
    '- **warning, no effect**: accepted; pgwarden logs one warning at start naming the key, because',
    '  ignoring it is harmless (cosmetic, or a feature of a store or library pgwarden does not use).',
    '- **refused**: `pgwarden` does not start and `--validate-config` fails with the reason, because',
    '  ignoring the key would change how the cluster behaves or how safe it is.',
    '',
    `${keys.length} keys: ${count('used')} used, ${count('warned')} warned, ${count('refused')} refused.`,
    'Every `PATRONI_<NAME>` variable can also be written `PGWARDEN_<NAME>`, which wins when both are set.',
    'Dynamic keys are checked in `bootstrap.dcs` and in `PATCH`/`PUT /config` (a refused key fails the request). A `/config` that reaches the DCS another way (Patroni 4 nodes, etcdctl) cannot be refused: every agent logs each key of it that pgwarden does not honour, once per new document.',
  ];
  for (const section of Object.keys(SECTION_TITLES) as PatroniKeySection[]) {
    lines.push('', `## ${SECTION_TITLES[section]}`);
    const inSection = keys.filter((k) => k.section === section);
    const groups = [...new Set(inSection.map((k) => k.group))];
    for (const group of groups) {
      lines.push('', `### ${group}`, '', '| key | pgwarden | notes |', '|---|---|---|');
      for (const key of inSection.filter((k) => k.group === group)) lines.push(row(key));
    }
  }
  return `${lines.join('\n')}\n`;
}
