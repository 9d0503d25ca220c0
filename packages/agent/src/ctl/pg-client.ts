/**
 * The PostgreSQL client `query` uses: node-postgres, loaded only when `query` runs.
 * @pgwarden/agent does not depend on `pg` yet (only core does), so a missing package
 * is reported as such instead of failing every other command at start.
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
    throw new CtlError(`query needs the node-postgres package ("pg"), which @pgwarden/agent does not install yet: ${(error as Error).message.split('\n')[0]}`);
  }
}
