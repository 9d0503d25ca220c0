import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';

describe('parseArgs', () => {
  it('reads the run, validate and generate modes with the config path', () => {
    expect(parseArgs(['/etc/patroni.yml'])).toEqual({ kind: 'run', configPath: '/etc/patroni.yml' });
    expect(parseArgs([])).toEqual({ kind: 'run' });
    expect(parseArgs(['--validate-config', 'p.yml'])).toEqual({ kind: 'validate-config', configPath: 'p.yml' });
    expect(parseArgs(['p.yml', '--validate-config'])).toEqual({ kind: 'validate-config', configPath: 'p.yml' });
    expect(parseArgs(['--generate-sample-config'])).toEqual({ kind: 'generate-config', sample: true });
    expect(parseArgs(['--generate-config', '--dsn', 'host=x', 'out.yml'])).toEqual({
      kind: 'generate-config',
      sample: false,
      outputPath: 'out.yml',
      dsn: 'host=x',
    });
    expect(parseArgs(['--dsn=host=y', '--generate-config'])).toMatchObject({ dsn: 'host=y' });
  });

  it('gives --version and --help precedence', () => {
    expect(parseArgs(['--validate-config', '--version'])).toEqual({ kind: 'version' });
    expect(parseArgs(['-h', '--bogus'])).toEqual({ kind: 'help' });
  });

  it('refuses two modes, unknown flags, extra arguments and a --dsn without value', () => {
    expect(parseArgs(['--validate-config', '--generate-config'])).toEqual({
      kind: 'usage-error',
      message: 'argument --generate-config: not allowed with argument --validate-config',
    });
    expect(parseArgs(['--bogus'])).toEqual({ kind: 'usage-error', message: 'unrecognized arguments: --bogus' });
    expect(parseArgs(['a.yml', 'b.yml'])).toEqual({ kind: 'usage-error', message: 'unrecognized arguments: b.yml' });
    expect(parseArgs(['--generate-config', '--dsn'])).toMatchObject({ kind: 'usage-error' });
  });
});
