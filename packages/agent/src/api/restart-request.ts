/**
 * Validation of a `POST /restart` body, key by key in the order given, stopping at the
 * first problem — Patroni's checks and messages (spec/api.md §1.7).
 */
import { parsePatroniInt, pythonStr, type JsonObject } from '@pgwarden/core';
import { parseSchedule } from './schedule.js';
import type { RestartRequest } from './types.js';

export type ParsedRestart =
  | { readonly ok: true; readonly request: RestartRequest; readonly schedule: { readonly epochMs: number; readonly iso: string } | null }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** `X.Y.Z`, or `X.Y` from version 10 on; the error text is Patroni's. */
export function checkPostgresVersion(value: unknown): string | null {
  // Only a string can be a version. `String()` is not safe on a JSON object (one with a
  // `toString` key throws); `pythonStr` renders any JSON value, as Patroni's message would.
  if (typeof value !== 'string') return `Invalid PostgreSQL version: ${pythonStr(value)}`;
  const text = value;
  const parts = text.split('.');
  if (!parts.every((p) => /^\s*[-+]?\d+\s*$/.test(p))) return `Invalid PostgreSQL version: ${text}`;
  const nums = parts.map(Number);
  if (nums.length < 2 || nums.length > 3 || (nums.length === 2 && nums[0]! < 10)) {
    return `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${text}`;
  }
  return null;
}

export function parseRestartRequest(body: JsonObject, nowMs: number): ParsedRestart {
  const request: { -readonly [K in keyof RestartRequest]: RestartRequest[K] } = {};
  let schedule: { epochMs: number; iso: string } | null = null;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schedule') {
      const parsed = parseSchedule(value, 'restart', nowMs);
      if (!parsed.ok) return parsed;
      schedule = { epochMs: parsed.epochMs, iso: parsed.iso };
    } else if (key === 'role') {
      if (value !== 'master' && value !== 'primary' && value !== 'replica') {
        return { ok: false, status: 400, message: 'PostgreSQL role should be either primary or replica' };
      }
      // Patroni compares against its internal `master`, so `primary` never matched; both mean the same here.
      request.role = value === 'replica' ? 'replica' : 'primary';
    } else if (key === 'postgres_version') {
      const problem = checkPostgresVersion(value);
      if (problem) return { ok: false, status: 400, message: problem };
      request.postgresVersion = value as string; // checkPostgresVersion accepts strings only
    } else if (key === 'timeout') {
      const seconds = parsePatroniInt(value, 's');
      if (seconds === null || seconds <= 0) return { ok: false, status: 400, message: 'Timeout should be a positive number of seconds' };
      request.timeout = seconds;
    } else if (key === 'restart_pending') {
      request.restartPending = value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
    } else {
      return { ok: false, status: 400, message: `Unknown filter for the scheduled restart: ${key}` };
    }
  }
  return { ok: true, request, schedule };
}
