import type { Binaries } from './binaries.js';
import type { RunAs } from './run-as.js';
import { runProgram } from './run-program.js';

export interface ParameterRejection {
  readonly name: string;
  readonly value: string;
  /** Postgres's own words, e.g. `invalid value for parameter "work_mem": "lots"`. */
  readonly reason: string;
}

/**
 * Validates parameter values with the postgres binary itself (`postgres -C` with the
 * values on the command line and an empty config file): exactly the server's own
 * parser, units, enums and ranges, for this major version. Dotted (extension) GUCs
 * pass unchanged, as in Patroni. One process per rejected value; results are cached.
 */
export class ParameterValidator {
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly bins: Binaries,
    private readonly runAs: RunAs | null,
    private readonly scratchDir: string,
  ) {}

  async validate(params: Readonly<Record<string, string>>): Promise<ParameterRejection[]> {
    const rejections: ParameterRejection[] = [];
    const pending = new Map<string, string>();
    for (const [name, value] of Object.entries(params)) {
      if (name.includes('.')) continue;
      const cached = this.cache.get(`${name}=${value}`);
      if (cached === undefined) pending.set(name, value);
      else if (cached !== null) rejections.push({ name, value, reason: cached });
    }
    // Each run stops at the first bad value; drop it and go again.
    for (let guard = 0; pending.size > 0 && guard < 200; guard++) {
      const args = ['-D', this.scratchDir, '--config-file=/dev/null'];
      for (const [n, v] of pending) args.push('-c', `${n}=${v}`);
      args.push('-C', 'port');
      const r = await runProgram(this.bins.path('postgres'), args, { runAs: this.runAs, timeoutMs: 15_000 });
      if (r.code === 0) {
        for (const [n, v] of pending) this.cache.set(`${n}=${v}`, null);
        break;
      }
      const m = /FATAL:\s+(?:invalid value for parameter|unrecognized configuration parameter|parameter) "([^"]+)".*/.exec(r.stderr);
      const bad = m?.[1];
      if (!bad || !pending.has(bad)) {
        // Not a verdict on one value (e.g. the binary failed): accept rather than drop silently.
        break;
      }
      const value = pending.get(bad) ?? '';
      const reason = m[0].replace(/^FATAL:\s+/, '').trim();
      this.cache.set(`${bad}=${value}`, reason);
      rejections.push({ name: bad, value, reason });
      pending.delete(bad);
    }
    return rejections;
  }
}
