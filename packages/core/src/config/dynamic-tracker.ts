/**
 * Holds the dynamic configuration in force. Every `/config` read goes through
 * `update`; a document with issues is refused and the last good one stays in force,
 * with one warning per bad document (not one per HA loop, which re-reads it every
 * `loop_wait`). Adjustments (timing raised to its minimums, ignored settings) are logged
 * once when a document is accepted.
 */
import { formatConfigIssue, type ConfigIssue } from '../errors.js';
import type { Logger } from '../logger.js';
import { toPatroniJson } from '../dcs/codec/json.js';
import { defaultDynamicSettings, validateDynamicConfig, type DynamicSettings, type DynamicValidation } from './dynamic-schema.js';
import type { DcsTiming } from '../dcs/timing.js';

export type DynamicUpdate =
  /** The document was new and valid; it is now in force. */
  | { readonly kind: 'applied'; readonly config: DynamicSettings }
  /** Same document (or modify version) as the one already considered. */
  | { readonly kind: 'unchanged'; readonly config: DynamicSettings }
  /** The document has issues; `config` is the last good one, still in force. */
  | { readonly kind: 'rejected'; readonly config: DynamicSettings; readonly validation: DynamicValidation };

export interface DynamicConfigTrackerOptions {
  /**
   * Called once per new `/config` document, before it is validated: the agent names the
   * keys it does not honour (e.g. written by Patroni 4 nodes). Must not throw; if it
   * does, the error is logged and the document is considered as usual.
   */
  readonly onNewDocument?: (data: unknown) => void;
  /** The lowest ttl, loop_wait and retry_timeout honoured (default: Patroni's minimums). */
  readonly timingFloor?: DcsTiming;
}

export class DynamicConfigTracker {
  private good: DynamicSettings;
  /** Identity of the last document considered (modify version, else its JSON). */
  private lastSeen: string | undefined;
  /** What the last document considered validated to. */
  private lastValidation: DynamicValidation | undefined;

  /**
   * `initial` is what is in force before the first `/config` read: the validated
   * `bootstrap.dcs`, the cached copy, or (by default) every default.
   */
  constructor(
    private readonly logger: Logger,
    initial: DynamicSettings = defaultDynamicSettings(),
    private readonly options: DynamicConfigTrackerOptions = {},
  ) {
    this.good = initial;
  }

  get current(): DynamicSettings {
    return this.good;
  }

  /**
   * Considers a `/config` document. `modifyVersion`, when given, identifies the
   * document (Patroni re-applies only when it changes); otherwise its content does.
   * Never throws: it runs inside every HA cycle, and a document that made it throw
   * would stop the loop on every node for as long as it stays in the DCS.
   */
  update(data: unknown, modifyVersion?: string): DynamicUpdate {
    const identity = modifyVersion !== undefined && modifyVersion !== '' ? `v:${modifyVersion}` : `j:${contentIdentity(data)}`;
    const repeated = identity === this.lastSeen && this.lastValidation !== undefined;
    // The same document validates the same way: every cycle reads /config, few change it.
    const validation = repeated ? this.lastValidation! : this.validate(data);
    this.lastValidation = validation;
    if (repeated) {
      return validation.issues.length === 0 ? { kind: 'unchanged', config: this.good } : { kind: 'rejected', config: this.good, validation };
    }
    this.lastSeen = identity;
    this.announce(data);
    if (validation.issues.length > 0) {
      this.logger.warn(
        `Ignoring the dynamic configuration in the DCS: ${validation.issues.map(safeFormat).join('; ')}. ` +
          'The previous configuration stays in force; fix /config with patronictl edit-config or PATCH /config.',
        { issues: validation.issues },
      );
      return { kind: 'rejected', config: this.good, validation };
    }
    for (const adjustment of validation.adjustments) this.logger.warn(`Dynamic configuration: ${adjustment}`);
    this.good = validation.config;
    return { kind: 'applied', config: this.good };
  }

  private announce(data: unknown): void {
    try {
      this.options.onNewDocument?.(data);
    } catch (error) {
      this.logger.warn(`Dynamic configuration: the check of unhonoured keys failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** The validation, or (if the validator has a bug) a refusal naming the exception. */
  private validate(data: unknown): DynamicValidation {
    try {
      return validateDynamicConfig(data, this.options.timingFloor ? { timingFloor: this.options.timingFloor } : {});
    } catch (error) {
      const reason = `could not be read (${error instanceof Error ? error.message : 'unknown error'}); this is a bug in pgwarden, please report it with the document`;
      return { config: this.good, issues: [{ path: '(config)', reason }], adjustments: [] };
    }
  }
}

/** The document's JSON, or a marker that changes with nothing when it has none (a BigInt, a cycle). */
function contentIdentity(data: unknown): string {
  try {
    return toPatroniJson(data ?? null);
  } catch {
    return '(not JSON)';
  }
}

function safeFormat(issue: ConfigIssue): string {
  try {
    return formatConfigIssue(issue);
  } catch {
    return `${issue.path}: ${issue.reason}`;
  }
}
