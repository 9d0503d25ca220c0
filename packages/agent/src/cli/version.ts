/**
 * `pgwarden --version`. The version comes from the agent's package.json, found by
 * walking up from this module (the path differs between src/ and the bundled dist/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATRONI_PROTOCOL_VERSION } from '@pgwarden/core';
import type { CliIo } from './io.js';

/** The Patroni release whose behaviour and wire format pgwarden follows. */
export const PATRONI_COMPATIBLE_VERSION = PATRONI_PROTOCOL_VERSION;

export function agentVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@pgwarden/agent' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export function runVersion(io: CliIo): number {
  io.stdout(`pgwarden ${agentVersion()} (Patroni ${PATRONI_COMPATIBLE_VERSION} compatible)\n`);
  return 0;
}
