import type { ToolOptions } from './options.js';

/**
 * Turns Patroni's option lists (`["data-checksums", {encoding: "UTF8"}]` or a map) into
 * `--flag` / `--key=value` arguments, refusing the ones the controller must own.
 */
export function toolArguments(options: ToolOptions | undefined, forbidden: readonly string[]): { args: string[]; refused: string[] } {
  const args: string[] = [];
  const refused: string[] = [];
  const add = (key: string, value?: string | number): void => {
    const k = key.replace(/^-+/, '');
    if (forbidden.includes(k)) refused.push(k);
    else args.push(value === undefined ? `--${k}` : `--${k}=${value}`);
  };
  if (!options) return { args, refused };
  if (Array.isArray(options)) {
    for (const item of options as readonly (string | Readonly<Record<string, string | number>>)[]) {
      if (typeof item === 'string') add(item);
      else for (const [k, v] of Object.entries(item)) add(k, v);
    }
  } else {
    for (const [k, v] of Object.entries(options as Readonly<Record<string, string | number>>)) add(k, v);
  }
  return { args, refused };
}

/** Splits a configured command line (`"/usr/bin/script --x"`) into program and args. */
export function splitCommand(command: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
