/**
 * When one node's agent last heard a DCS answer that was not `unavailable`: noted as the
 * answer arrives, only while the process runs (it is then delivered at once; answers held
 * for a paused agent do not count). The fence-kill invariant reads it: an agent that could
 * still reach the DCS had every chance to step down by itself, so its fence must never
 * have to fire.
 */
export class DcsContact {
  lastOkAt: number | null = null;

  answered(at: number): void {
    this.lastOkAt = at;
  }
}
