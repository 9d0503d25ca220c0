import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/ctl/commands/index.js';
import { GLOBAL_OPTIONS } from '../../src/ctl/global-options.js';
import { asksForHelp } from '../../src/ctl/help.js';
import { runCtl } from './support/run-ctl.js';

/** Every spelling and the help text of each option must be in the printed help. */
function expectDescribed(text: string, specs: typeof GLOBAL_OPTIONS): void {
  for (const spec of specs) {
    for (const name of spec.names) expect(text).toMatch(new RegExp(`(^|[\\s,])${name}(?=[\\s,]|$)`, 'm'));
    expect(text).toContain(spec.help);
    if (spec.value) expect(text).toContain(`${spec.names.at(-1)} ${spec.metavar ?? 'TEXT'}`);
  }
}

describe('pgwardenctl --help (the built CLI)', () => {
  it('lists the global options and every command', async () => {
    const res = await runCtl(['--help']);
    expect(res.code).toBe(0);
    expectDescribed(res.stdout, GLOBAL_OPTIONS);
    for (const command of COMMANDS) expect(res.stdout).toMatch(new RegExp(`^  ${command.name} +${command.help}`, 'm'));
  });

  it('describes every option of every command with COMMAND --help, without a config or a DCS', async () => {
    for (const command of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        // A config file that does not exist proves help is answered before the config is read.
        const res = await runCtl(['-c', '/nonexistent/patronictl.yaml', command.name, flag]);
        expect({ command: command.name, flag, code: res.code, stderr: res.stderr }).toEqual({ command: command.name, flag, code: 0, stderr: '' });
        expect(res.stdout).toContain(`Usage: pgwardenctl ${command.name} [OPTIONS]`);
        expect(res.stdout).toContain(command.help);
        expectDescribed(res.stdout, command.options);
      }
    }
  });

  it('treats --help given as an option value or after -- as data, not as a help request', () => {
    const query = COMMANDS.find((c) => c.name === 'query')!;
    expect(asksForHelp(['-c', '--help'], query.options)).toBe(false);
    expect(asksForHelp(['--', '--help'], query.options)).toBe(false);
    expect(asksForHelp(['-c', 'select 1', '--help'], query.options)).toBe(true);
  });
});
