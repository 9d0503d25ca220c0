/**
 * The timing rule that keeps a primary from outliving its lock (spec/dcs.md §1.7): the
 * leader renews at T, its next cycle starts by T + loop_wait, and the load and renewal
 * each take at most retry_timeout, so it learns of a failed renewal before T + ttl, the
 * earliest moment anyone else can take the lock.
 */
export interface DcsTiming {
  readonly ttl: number;
  readonly loopWait: number;
  readonly retryTimeout: number;
}

export const DEFAULT_TIMING: DcsTiming = { ttl: 30, loopWait: 10, retryTimeout: 10 };
export const MINIMUM_TIMING: DcsTiming = { ttl: 20, loopWait: 1, retryTimeout: 3 };

export interface NormalizedTiming extends DcsTiming {
  /** One line per value changed, in words an operator can act on. */
  readonly adjustments: readonly string[];
}

/**
 * Raises values below Patroni's minimums, then enforces loop_wait + 2*retry_timeout <= ttl:
 * loop_wait is lowered to ttl - 2*retry_timeout, and if that would be below 1 s,
 * loop_wait becomes 1 and retry_timeout (ttl - 1) // 2.
 */
export function normalizeTiming(input: Partial<DcsTiming>): NormalizedTiming {
  const adjustments: string[] = [];
  const raise = (key: keyof DcsTiming, label: string): number => {
    const value = input[key] ?? DEFAULT_TIMING[key];
    if (value < MINIMUM_TIMING[key]) {
      adjustments.push(`${label}=${value} is below the minimum ${MINIMUM_TIMING[key]}; using ${MINIMUM_TIMING[key]}`);
      return MINIMUM_TIMING[key];
    }
    return value;
  };
  const ttl = raise('ttl', 'ttl');
  let loopWait = raise('loopWait', 'loop_wait');
  let retryTimeout = raise('retryTimeout', 'retry_timeout');
  if (loopWait + 2 * retryTimeout > ttl) {
    const before = { loopWait, retryTimeout };
    loopWait = ttl - 2 * retryTimeout;
    if (loopWait < MINIMUM_TIMING.loopWait) {
      loopWait = MINIMUM_TIMING.loopWait;
      retryTimeout = Math.floor((ttl - 1) / 2);
    }
    adjustments.push(
      `violated the rule "loop_wait + 2*retry_timeout <= ttl" (ttl=${ttl}, loop_wait=${before.loopWait}, ` +
        `retry_timeout=${before.retryTimeout}); using loop_wait=${loopWait} and retry_timeout=${retryTimeout}`,
    );
  }
  return { ttl, loopWait, retryTimeout, adjustments };
}
