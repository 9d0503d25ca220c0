/**
 * fast-check generators of dynamic-config documents: realistic valid ones, the same with
 * one field mutated to a wrong type, range or name, and the hostile values a fuzz run
 * found. Documents go through JSON text, as the DCS codec and the REST API read them,
 * so a `__proto__` key is an own key exactly as in production. Shared by core's and the
 * agent's property-based tests.
 */
import fc from 'fast-check';

const GUC_NAMES = ['work_mem', 'shared_buffers', 'max_connections', 'wal_level', 'hot_standby', 'wal_keep_size', 'jit', 'pg_stat_statements.max'];
const setting = fc.oneof(fc.constantFrom('8MB', 'on', 'off', 'replica', '128MB'), fc.integer({ min: 100, max: 500 }), fc.boolean());

/** Documents validateDynamicConfig accepts (adjustments allowed). */
export const validDynamicConfig = fc.record(
  {
    ttl: fc.integer({ min: 20, max: 120 }),
    loop_wait: fc.integer({ min: 1, max: 10 }),
    retry_timeout: fc.integer({ min: 3, max: 10 }),
    maximum_lag_on_failover: fc.integer({ min: 0, max: 1 << 30 }),
    primary_start_timeout: fc.integer({ min: 0, max: 600 }),
    synchronous_mode: fc.constantFrom(true, false, 'on', 'off'),
    pause: fc.boolean(),
    failsafe_mode: fc.boolean(),
    postgresql: fc.record(
      {
        use_slots: fc.boolean(),
        use_pg_rewind: fc.boolean(),
        parameters: fc.dictionary(fc.constantFrom(...GUC_NAMES.filter((n) => n !== 'max_connections' && n !== 'wal_level' && n !== 'hot_standby' && n !== 'wal_keep_size')), setting),
        pg_hba: fc.array(fc.constantFrom('host all all 0.0.0.0/0 md5', 'local all all trust'), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    slots: fc.dictionary(fc.constantFrom('keep_me', 'ha_slot', 'cdc'), fc.constant(null)),
    standby_cluster: fc.record({ host: fc.constantFrom('10.0.0.1', 'primary.example'), port: fc.integer({ min: 1, max: 65535 }) }),
  },
  { requiredKeys: [] },
);

/** Values that are wrong wherever they go (objects with toString, lists of non-strings, a line break, Infinity). */
export const SURELY_BAD_JSON = ['{"toString": 1}', '[1, {}]', '"x\\ny"', '1e400', '{"__proto__": {"x": 1}}', '{"constructor": "x"}'];
/** Names no key may have (Object.prototype's). */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__lookupGetter__'];

const surelyBadJson = fc.constantFrom(...SURELY_BAD_JSON);
/** Anything, as JSON text: the surely-bad values, odd scalars, numbers at timer limits, random JSON. */
const anyJson = fc.oneof(
  surelyBadJson,
  fc.constantFrom('null', '-1', '0', '2147484', '2147483648', '86401', '"1e400"', '"on"', 'true', '"x\\u0000"', '"a\\rb"', '[]', '{}'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
);

const TOP_KEYS = [
  'ttl',
  'loop_wait',
  'retry_timeout',
  'primary_start_timeout',
  'master_start_timeout',
  'primary_stop_timeout',
  'maximum_lag_on_failover',
  'synchronous_node_count',
  'pause',
  'synchronous_mode',
  'failsafe_mode',
  'slots',
  'ignore_slots',
  'standby_cluster',
  'postgresql',
];
const TIMING_TOO_LARGE = [
  ['ttl', 86_401],
  ['loop_wait', 2_147_484],
  ['retry_timeout', 2_147_484],
  ['primary_start_timeout', 2_147_484],
  ['master_stop_timeout', 1e12],
] as const;

export interface Mutation {
  /** Path of keys from the document root to the key set (last element). */
  readonly path: readonly string[];
  /** JSON text of the value. */
  readonly json: string;
  /** True when every document carrying this mutation must be refused. */
  readonly surelyBad: boolean;
}

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A known key set to a wrong type or a surely-bad value.
  // (Not master_start_timeout: the base may carry primary_start_timeout, which wins and leaves it unread.)
  fc.record({ key: fc.constantFrom(...TOP_KEYS.filter((k) => k !== 'master_start_timeout')), json: surelyBadJson }).map(({ key, json }) => ({
    path: [key],
    json,
    surelyBad: true,
  })),
  fc.record({ key: fc.constantFrom(...TOP_KEYS), json: anyJson }).map(({ key, json }) => ({ path: [key], json, surelyBad: false })),
  // Seconds beyond what a timer or a lease can hold.
  fc.constantFrom(...TIMING_TOO_LARGE).map(([key, value]) => ({ path: [key], json: String(value), surelyBad: true })),
  // A parameter: bad value, or bad name.
  fc.record({ name: fc.constantFrom(...GUC_NAMES), json: surelyBadJson }).map(({ name, json }) => ({ path: ['postgresql', 'parameters', name], json, surelyBad: true })),
  fc.record({ name: fc.constantFrom(...GUC_NAMES), json: anyJson }).map(({ name, json }) => ({ path: ['postgresql', 'parameters', name], json, surelyBad: false })),
  fc.record({ name: fc.constantFrom(...RESERVED_NAMES, 'work mem', 'a.b.c', 'x\ny', ''), json: fc.constantFrom('1', '"on"') }).map(({ name, json }) => ({
    path: ['postgresql', 'parameters', name],
    json,
    surelyBad: true,
  })),
  // A reserved name anywhere.
  fc.record({ at: fc.constantFrom([], ['postgresql'], ['slots'], ['standby_cluster'], ['custom']), name: fc.constantFrom(...RESERVED_NAMES) }).map(({ at, name }) => ({
    path: [...at, name],
    json: '1',
    surelyBad: true,
  })),
  // Strings written into config files, with a line break.
  fc.constantFrom(['standby_cluster', 'host'], ['standby_cluster', 'restore_command'], ['postgresql', 'recovery_conf', 'restore_command']).map((path) => ({
    path,
    json: '"cp %f %p\\narchive_command = evil"',
    surelyBad: true,
  })),
  fc.constant({ path: ['postgresql', 'pg_hba'], json: '["host all all 0/0 md5\\nhost all all ::/0 trust"]', surelyBad: true }),
);

/** `doc` (plain JSON) with the mutation applied, as JSON text: intermediate non-objects are replaced. */
export function applyMutation(doc: unknown, m: Mutation): string {
  const root: Record<string, unknown> = JSON.parse(JSON.stringify(doc ?? {})) as Record<string, unknown>;
  let node = root;
  for (const key of m.path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    const child = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true });
    node = child;
  }
  const marker = '"@@MUTATION@@"';
  Object.defineProperty(node, m.path[m.path.length - 1]!, { value: '@@MUTATION@@', enumerable: true, writable: true, configurable: true });
  return JSON.stringify(root).replace(marker, () => m.json);
}

export const mutatedDynamicConfig = fc.record({ base: validDynamicConfig, mutation }).map(({ base, mutation: m }) => ({
  text: applyMutation(base, m),
  surelyBad: m.surelyBad,
}));
