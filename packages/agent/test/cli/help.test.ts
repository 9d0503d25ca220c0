import { describe, expect, it } from 'vitest';
import { cliHelp } from '../../src/cli/help.js';
import type { CliIo } from '../../src/cli/io.js';
import { CLI_OPTIONS } from '../../src/cli/options.js';
import { runCli } from '../../src/cli/run.js';

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {} };
}

describe('pgwarden --help', () => {
  it('prints every option of the table with its help text', async () => {
    for (const flag of ['--help', '-h']) {
      const io = captureIo();
      expect(await runCli([flag], io)).toBe(0);
      const text = io.out.join('');
      expect(text).toBe(cliHelp());
      for (const option of CLI_OPTIONS) {
        for (const name of option.names) expect(text).toMatch(new RegExp(`(^|[\\s,])${name}\\b`, 'm'));
        expect(text).toContain(option.help);
        if (option.metavar) expect(text).toContain(`${option.names.at(-1)} ${option.metavar}`);
      }
      expect(text).toContain('configfile');
    }
  });

  it('accepts every option the help describes', async () => {
    for (const option of CLI_OPTIONS) {
      for (const name of option.names) {
        const argv = option.metavar ? [name, name === '--log-format' ? 'json' : 'x'] : [name];
        const io = captureIo();
        // --version ends the command before anything runs: the exit code says whether the option parsed.
        expect({ name, code: await runCli([...argv, '--version'], io), err: io.err.join('') }).toEqual({ name, code: 0, err: '' });
      }
    }
  });

  it('still names an option that is not in the table as unrecognized', async () => {
    const io = captureIo();
    expect(await runCli(['--no-such-option'], io)).toBe(2);
    expect(io.err.join('')).toContain('unrecognized arguments: --no-such-option');
  });
});
