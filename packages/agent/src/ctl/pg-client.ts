/**
 * The PostgreSQL client `query` uses: node-postgres, loaded only when `query` runs.
 * `pg` is a dependency of @pgwarden/agent; loading it lazily keeps the other commands'
 * start-up light, and a broken install is reported as such instead of failing them all.
 */
import { CtlError } from './errors.js';

export interface PgQueryResult {
  readonly rows: unknown[][];
  readonly fields: readonly { readonly name: string }[];
}

export interface PgConnection {
  query(config: { text: string; rowMode: 'array' }): Promise<PgQueryResult>;
  end(): Promise<void>;
}

interface PgModule {
  Client: new (config: Record<string, unknown>) => PgConnection & { connect(): Promise<void> };
}

export async function loadPg(): Promise<PgModule> {
  const specifier = 'pg'; // not a literal: the bundler must leave it to runtime
  try {
    const mod = (await import(specifier)) as { default?: PgModule } & PgModule;
    return mod.default ?? mod;
  } catch (error) {
    throw new CtlError(`query needs the node-postgres package ("pg"), which could not be loaded: ${(error as Error).message.split('\n')[0]}`);
  }
}
