/** Command-line options of `pnpm chaos`. */
import { SYNC_MODES, type SyncMode } from './node-config.js';

export interface ChaosArgs {
  readonly trials: number;
  /** Replays exactly this seed (every trial uses it). */
  readonly seed: number | null;
  readonly mode: SyncMode | 'all';
  readonly trialSeconds: number;
  readonly quietSeconds: number;
  readonly outDir: string;
  readonly netId: number;
  readonly help: boolean;
}

export const USAGE = `usage: pnpm chaos [options]
  --trials N          trials to run (default 1)
  --seed S            replay one seed: same seed, same fault schedule
  --mode M            async | on | strict | quorum | all (default all: round robin)
  --trial-seconds T   length of the fault phase (default 90)
  --quiet-seconds Q   calm after the last fault before the check (default 15)
  --out DIR           where each trial's JSON lines and agent logs go (default chaos-out)
  --net-id N          subnet 10.213.N.0/24 and namespace prefix pgwcN (default 77)
`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${value ?? ''}'`);
  return n;
}

export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const out = { trials: 1, seed: null as number | null, mode: 'all' as SyncMode | 'all', trialSeconds: 90, quietSeconds: 15, outDir: 'chaos-out', netId: 77, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--':
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      case '--trials':
        out.trials = positiveInt(flag, value());
        break;
      case '--seed':
        out.seed = positiveInt(flag, value());
        break;
      case '--mode': {
        const m = value();
        if (m !== 'all' && !SYNC_MODES.includes(m as SyncMode)) throw new Error(`--mode must be one of ${SYNC_MODES.join(', ')}, all; got '${m ?? ''}'`);
        out.mode = m as SyncMode | 'all';
        break;
      }
      case '--trial-seconds':
        out.trialSeconds = positiveInt(flag, value());
        break;
      case '--quiet-seconds':
        out.quietSeconds = positiveInt(flag, value());
        break;
      case '--out':
        out.outDir = value() ?? '';
        if (!out.outDir) throw new Error('--out needs a directory');
        break;
      case '--net-id':
        out.netId = positiveInt(flag, value());
        break;
      default:
        throw new Error(`unknown option '${flag}'`);
    }
  }
  return out;
}
