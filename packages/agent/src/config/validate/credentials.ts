import { joinPath } from '@pgwarden/core';
import type { Credentials } from '../local-config.js';
import type { SectionContext } from './context.js';

/** `{username, password}` as used by restapi.authentication and ctl.authentication; both required. */
export function checkCredentials(ctx: SectionContext, path: string, value: unknown): Credentials | undefined {
  const auth = ctx.checker.record(path, value);
  if (!auth) return undefined;
  const username = ctx.checker.string(joinPath(path, 'username'), auth.username, { allowNumber: true });
  const password = ctx.checker.string(joinPath(path, 'password'), auth.password, { allowNumber: true });
  if (auth.username === undefined || auth.username === null) ctx.checker.missing(joinPath(path, 'username'), `${path}.username: admin`);
  if (auth.password === undefined || auth.password === null) ctx.checker.missing(joinPath(path, 'password'), `${path}.password: <secret>`);
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}
