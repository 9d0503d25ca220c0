/**
 * What a running agent keeps loaded: not the code of the commands it does not run
 * (--generate-config, --validate-config), and not the `yaml` library once the config
 * has been read (both stay in memory for the life of the process when imported), and
 * no source text V8 has to hold two bytes a character.
 * Checked on the built program, with the module-resolution hook of module-log.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeConfig } from './helpers.js';
import { agentDir, runRecordingModules } from './module-log.js';

const dir = mkdtempSync(join(tmpdir(), 'pgwarden-idle-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bundled files among the resolved URLs that `belongs` accepts, with their text. */
function bundledFiles(urls: readonly string[], belongs: (file: string) => boolean): { file: string; text: string }[] {
  return urls
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u))
    .filter(belongs)
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** The agent's own bundles. */
const inAgentDist = (file: string): boolean => file.startsWith(`${join(agentDir, 'dist')}/`);
/** Any workspace package's bundles (core and the adapter too), not third-party code. */
const inWorkspaceDist = (file: string): boolean => file.startsWith(`${join(agentDir, '..')}/`) && file.includes('/dist/') && !file.includes('/node_modules/');

describe('modules a running agent holds', () => {
  it('the daemon loads neither the CLI-only commands nor, after reading its config, the yaml library', async () => {
    // Port 1 refuses: the agent reads its config, imports the adapter and waits for etcd, where it is stopped.
    const config = writeConfig(dir, '127.0.0.1:1', 'tags:\n  nofailover: yes\n');
    const r = await runRecordingModules(dir, 'pgwarden.js', [config], join(dir, 'agent.log'), /Waiting on etcd3/);
    expect(r.stderr).toContain('Waiting on etcd3');

    const files = bundledFiles(r.resolved, inAgentDist);
    expect(files.some((f) => f.text.includes('function runDaemon(')), 'the daemon code was not among the resolved files').toBe(true);
    for (const cliOnly of ['function runGenerateConfig(', 'function buildSampleConfig(', 'function runValidateConfig(']) {
      expect(files.filter((f) => f.text.includes(cliOnly)).map((f) => f.file), `${cliOnly} was loaded`).toEqual([]);
    }

    // V8 keeps each module's source text for the life of the process, one byte a character
    // only while every character is Latin-1: one arrow in a comment esbuild keeps doubles it.
    const workspace = bundledFiles(r.resolved, inWorkspaceDist);
    expect(workspace.some((f) => f.file.includes('/core/dist/')), 'core\'s bundle was not among the loaded files').toBe(true);
    const wide = workspace.flatMap((f) => f.text.split('\n').flatMap((line, i) => (/[^\u0000-\u00ff]/.test(line) ? [`${f.file}:${i + 1}: ${line.trim()}`] : [])));
    expect(wide, 'write these comments in ASCII (or Latin-1): each makes its whole file a two-byte string in memory').toEqual([]);

    expect(r.resolved.filter((u) => u.includes('/yaml/')), 'yaml was imported').toEqual([]);
    expect(r.required.some((f) => f.includes('/pg/')), `the require cache was not recorded: ${r.required.length} files`).toBe(true);
    expect(r.required.filter((f) => f.includes('/yaml/')), 'yaml is still in the require cache').toEqual([]);
  }, 90_000);

  it('--validate-config still loads its command and reads the YAML', async () => {
    const config = writeConfig(dir, '127.0.0.1:1', 'tags:\n  nofailover: yes\n');
    const r = await runRecordingModules(dir, 'pgwarden.js', ['--validate-config', '--ignore-listen-port', config], join(dir, 'validate.log'));
    expect(bundledFiles(r.resolved, inAgentDist).some((f) => f.text.includes('function runValidateConfig(')), r.stderr).toBe(true);
    expect(r.stderr).not.toContain('is not valid YAML');
  }, 90_000);
});
