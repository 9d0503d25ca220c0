/**
 * A small click-like argument parser: options are declared per command, may come
 * before or after positionals (`--x=v`, `--x v`, `-x v`), and `--` ends options.
 * Unknown options are an error, as in click.
 */
import { CtlError } from './errors.js';

export interface OptionSpec {
  /** Every spelling, e.g. ['-f', '--format']. The first long name is the key. */
  readonly names: readonly string[];
  /** Takes a value (else a flag). */
  readonly value?: boolean;
  /** May repeat; values are collected into a list. */
  readonly multiple?: boolean;
  /** Key to store under; default the first long name without dashes, `-` → `_`. */
  readonly key?: string;
  /** What the option does, for `--help` (help.ts prints every option from its table). */
  readonly help: string;
  /** The value's placeholder in `--help`, e.g. `ROLE` or `[pretty|tsv|json|yaml]`; default TEXT. */
  readonly metavar?: string;
}

export interface Parsed {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

function keyOf(spec: OptionSpec): string {
  if (spec.key) return spec.key;
  const long = spec.names.find((n) => n.startsWith('--')) ?? spec.names[0]!;
  return long.replace(/^-+/, '').replace(/-/g, '_');
}

/** `stopAtPositional`: stop at the first positional (global options before the command). */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], stopAtPositional = false): Parsed & { rest: string[] } {
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  const byName = new Map<string, OptionSpec>();
  for (const spec of specs) for (const name of spec.names) byName.set(name, spec);
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      i = argv.length;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) break;
      positionals.push(arg);
      continue;
    }
    let name = arg;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      name = arg.slice(0, eq);
      inline = arg.slice(eq + 1);
    } else if (!arg.startsWith('--') && arg.length > 2 && byName.get(arg.slice(0, 2))?.value) {
      name = arg.slice(0, 2); // -w5, -sttl=25
      inline = arg.slice(2);
    }
    const spec = byName.get(name);
    if (!spec) throw new CtlError(`No such option: ${name}`);
    const key = keyOf(spec);
    if (!spec.value) {
      options[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CtlError(`Option '${name}' requires an argument.`);
    if (spec.multiple) options[key] = [...((options[key] as string[] | undefined) ?? []), value];
    else options[key] = value;
  }
  return { options, positionals, rest: argv.slice(i) as string[] };
}

export function stringOpt(parsed: Parsed, key: string): string | undefined {
  const v = parsed.options[key];
  return typeof v === 'string' ? v : undefined;
}

export function flagOpt(parsed: Parsed, key: string): boolean {
  return parsed.options[key] === true;
}

export function listOpt(parsed: Parsed, key: string): string[] {
  const v = parsed.options[key];
  return Array.isArray(v) ? v : [];
}

/** click.Choice: the value must be one of `choices`. */
export function choiceOpt(parsed: Parsed, key: string, choices: readonly string[], fallback?: string): string | undefined {
  const v = stringOpt(parsed, key) ?? fallback;
  if (v !== undefined && !choices.includes(v)) {
    throw new CtlError(`Invalid value for '--${key.replace(/_/g, '-')}': '${v}' is not one of ${choices.map((c) => `'${c}'`).join(', ')}.`);
  }
  return v;
}
