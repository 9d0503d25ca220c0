/**
 * The Postgres controller as seen through an agent process: results and listener calls
 * go through the process (paused → held back, killed → never). Postgres itself is not
 * paused: an operation already asked for runs to its end.
 */
import type { StopOptions } from '../src/postgres/controller.js';
import type { AgentProcess } from './agent-process.js';

export function processBound<T extends object>(target: T, proc: AgentProcess): T {
  // One wrapper per method, made on first use: the engine calls the controller many times a cycle.
  const wrappers = new Map<unknown, (...args: unknown[]) => unknown>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(value);
      if (wrapper) return wrapper;
      wrapper = (...args: unknown[]) => {
        const bound = args.map((a) => bindArgument(a, proc));
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, bound);
        if (result instanceof Promise) return proc.wrap(result);
        if (typeof result === 'function') {
          // An Unsubscribe: also run it when the process dies.
          const unsubscribe = result as () => void;
          proc.onKill(unsubscribe);
          return unsubscribe;
        }
        return result;
      };
      wrappers.set(value, wrapper);
      return wrapper;
    },
  });
}

function bindArgument(arg: unknown, proc: AgentProcess): unknown {
  if (typeof arg === 'function') return proc.bind(arg as (...a: unknown[]) => void);
  if (arg && typeof arg === 'object' && typeof (arg as StopOptions).onSafepoint === 'function') {
    const opts = arg as StopOptions;
    return { ...opts, onSafepoint: proc.bind(opts.onSafepoint!) };
  }
  return arg;
}
