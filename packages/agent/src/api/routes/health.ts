/**
 * The generic handler for GET, HEAD and OPTIONS on any path without its own handler:
 * the health decision from core, answered from the last loop's state. HEAD and OPTIONS
 * get only the status line (HAProxy's `option httpchk` sends `OPTIONS /`).
 */
import { healthStatus, type NodeState } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { writeResponse, writeStatusLineOnly } from '../reply.js';

interface Answer {
  readonly status: 200 | 503;
  readonly json: string;
}

/**
 * Answers already worked out for a state. The source hands out the same state object
 * until something changes, and the answer to a target (path and query) then depends on
 * one thing more: whether the lock is still held at the time of the check. So a burst of
 * checks builds and serializes the status document once per change, not once per check.
 */
const answers = new WeakMap<NodeState, Map<string, Answer>>();
/** Targets remembered per state; others are worked out each time (odd queries cannot grow memory). */
const MAX_TARGETS = 32;

function answer(ctx: RouteContext): Answer {
  const state = ctx.deps.source.current();
  const now = ctx.deps.clock.now();
  const holdsLock = state.lockExpiresAt !== null && state.lockExpiresAt > now;
  const key = `${holdsLock ? 'L' : '-'}${ctx.req.url ?? ''}`;
  let known = answers.get(state);
  const cached = known?.get(key);
  if (cached) return cached;
  const { status, body } = healthStatus(state, { path: ctx.path, query: ctx.query, now });
  const fresh: Answer = { status, json: JSON.stringify(body) };
  if (!known) answers.set(state, (known = new Map()));
  if (known.size < MAX_TARGETS) known.set(key, fresh);
  return fresh;
}

export function healthCheck(ctx: RouteContext): void {
  const { status, json } = answer(ctx);
  writeResponse(ctx.res, ctx.headers, status, json, 'application/json');
}

export function healthCheckStatusOnly(ctx: RouteContext): void {
  writeStatusLineOnly(ctx.res, answer(ctx).status);
}
