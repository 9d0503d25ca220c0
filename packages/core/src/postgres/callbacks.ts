/** Patroni's callback actions (postgresql.callbacks.*), spec §3.8. */
export type CallbackAction = 'on_start' | 'on_stop' | 'on_restart' | 'on_reload' | 'on_role_change';

/** One fired callback, reported to listeners (and tests). */
export interface CallbackEvent {
  readonly action: CallbackAction;
  /** The role string passed to the script, Patroni 4's wording ("primary" for a primary or promoted node). */
  readonly role: string;
  readonly command: readonly string[];
}
