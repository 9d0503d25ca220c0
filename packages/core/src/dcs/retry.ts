/**
 * Deadlines and retries around adapter calls (spec/dcs.md §1.4). Each call gets an
 * AbortSignal that fires at its deadline, and the call settles by then whatever the
 * adapter does: a call that has not answered is reported `unavailable`. Transient
 * failures are tried again with backoff from 0.1 s doubling to 1 s, plus 0–0.8 s of
 * jitter, until the next sleep would cross the deadline.
 */
import { DcsError, isTransientDcsError, toDcsError } from '../errors.js';
import type { Clock, Random } from '../time/clock.js';
import type { DcsCallContext } from './adapter.js';
import { DeadlineContext } from './deadline-context.js';
import { unavailable, type Unavailable } from './outcomes.js';

export interface RetryPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxJitterMs: number;
}

export const PATRONI_RETRY_POLICY: RetryPolicy = { firstDelayMs: 100, maxDelayMs: 1000, maxJitterMs: 800 };

type Outcome = { readonly kind: string };

export interface CallOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** How long the whole call may take, retries included. */
  readonly budgetMs: number;
  /** false for Patroni's one-shot calls (touch_member, status writes). */
  readonly retry: boolean;
  readonly policy?: RetryPolicy;
  /** Name of the verb, for the error message. */
  readonly what: string;
}

/** Runs `attempt` under a deadline, retrying transient failures if asked to. */
export async function callWithDeadline<T extends Outcome>(
  attempt: (ctx: DcsCallContext) => Promise<T | Unavailable>,
  options: CallOptions,
): Promise<T | Unavailable> {
  const { clock, random } = options;
  const policy = options.policy ?? PATRONI_RETRY_POLICY;
  const deadline = clock.now() + options.budgetMs;
  let delay = policy.firstDelayMs;
  for (let tries = 1; ; tries++) {
    const result = await attemptOnce(attempt, deadline, options);
    if (result.kind !== 'unavailable' || !options.retry) return result;
    const failure = result as Unavailable;
    // By code, not class: the adapter may have built its error with another copy of core.
    if (!isTransientDcsError(failure.cause)) return failure;
    const sleep = delay + random() * policy.maxJitterMs;
    if (clock.now() + sleep >= deadline) return withTries(failure, tries);
    await clock.sleep(sleep);
    delay = Math.min(delay * 2, policy.maxDelayMs);
  }
}

async function attemptOnce<T extends Outcome>(
  attempt: (ctx: DcsCallContext) => Promise<T | Unavailable>,
  deadline: number,
  options: CallOptions,
): Promise<T | Unavailable> {
  const { clock } = options;
  const remaining = deadline - clock.now();
  if (remaining <= 0) return deadlineExceeded(options);
  const ctx = new DeadlineContext(deadline);
  let timer: { cancel(): void } | undefined;
  const expired = new Promise<Unavailable>((resolve) => {
    timer = clock.setTimer(remaining, () => {
      const failure = deadlineExceeded(options);
      ctx.expire(failure.cause);
      resolve(failure);
    });
  });
  const work = attempt(ctx).catch((error: unknown) => unavailable(asDcsError(error, options.what)));
  try {
    const result = await Promise.race([work, expired]);
    // An adapter built with another copy of core returns that copy's DcsError: make it ours.
    return result.kind === 'unavailable' ? unavailable(asDcsError((result as Unavailable).cause, options.what)) : result;
  } finally {
    timer?.cancel();
  }
}

function deadlineExceeded(options: CallOptions): Unavailable {
  // Not transient: the whole budget is spent, nothing is left to retry within.
  return unavailable(
    new DcsError('deadline-exceeded', `${options.what}: no answer from the DCS within ${options.budgetMs} ms`, { transient: false }),
  );
}

function withTries(failure: Unavailable, tries: number): Unavailable {
  if (tries < 2) return failure;
  const cause = toDcsError(failure.cause) ?? failure.cause;
  return unavailable(
    new DcsError(cause.code, `${cause.message} (gave up after ${tries} attempts: the next retry would pass the deadline)`, {
      cause,
      transient: false,
    }),
  );
}

/**
 * Adapters may throw; a DCS error (from any copy of core, recognised by its code) keeps
 * its code and transience, anything else is a failed request.
 */
export function asDcsError(error: unknown, what: string): DcsError {
  const known = toDcsError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new DcsError('request-failed', `${what}: ${message}`, { cause: error, transient: false });
}
