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
/**
 * The floor with `pgwarden.fast_failover` on a node whose lease guard (the fence, or a
 * required watchdog) stops a primary that cannot renew before its lock can expire.
 */
export const FAST_FAILOVER_MINIMUM_TIMING: DcsTiming = { ttl: 8, loopWait: 1, retryTimeout: 2 };

export interface NormalizedTiming extends DcsTiming {
  /** One line per value changed, in words an operator can act on. */
  readonly adjustments: readonly string[];
}

/**
 * Raises values below the minimums (Patroni's, unless `floor` says otherwise), then enforces loop_wait + 2*retry_timeout <= ttl:
 * loop_wait is lowered to ttl - 2*retry_timeout, and if that would be below 1 s,
 * loop_wait becomes 1 and retry_timeout (ttl - 1) // 2.
 */
export function normalizeTiming(input: Partial<DcsTiming>, floor: DcsTiming = MINIMUM_TIMING): NormalizedTiming {
  const adjustments: string[] = [];
  const raise = (key: keyof DcsTiming, label: string): number => {
    const value = input[key] ?? DEFAULT_TIMING[key];
    if (value < floor[key]) {
      adjustments.push(`${label}=${value} is below the minimum ${floor[key]}; using ${floor[key]}`);
      return floor[key];
    }
    return value;
  };
  const ttl = raise('ttl', 'ttl');
  let loopWait = raise('loopWait', 'loop_wait');
  let retryTimeout = raise('retryTimeout', 'retry_timeout');
  if (loopWait + 2 * retryTimeout > ttl) {
    const before = { loopWait, retryTimeout };
    loopWait = ttl - 2 * retryTimeout;
    if (loopWait < floor.loopWait) {
      loopWait = floor.loopWait;
      retryTimeout = Math.floor((ttl - 1) / 2);
    }
    adjustments.push(
      `violated the rule "loop_wait + 2*retry_timeout <= ttl" (ttl=${ttl}, loop_wait=${before.loopWait}, ` +
        `retry_timeout=${before.retryTimeout}); using loop_wait=${loopWait} and retry_timeout=${retryTimeout}`,
    );
  }
  return { ttl, loopWait, retryTimeout, adjustments };
}
