/**
 * Running the whole conformance kit for an adapter: the example in README.md ("Running
 * the conformance kit") and docs/writing-a-dcs-adapter.md. It is type-checked with the
 * package's tests, so it cannot drift from the API. In an adapter's test file the body
 * of `registerConformance` is the whole file.
 */
import type { DcsAdapterModule } from '@pgwarden/core';
import { runConformance } from '@pgwarden/core/testing';

/** What a test launcher for your backend gives you (the testkit's launchers look like this). */
export interface MyServer {
  readonly address: string;
  get(path: string): Promise<string | null>;
  stop(): Promise<void>;
  start(): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  close(): Promise<void>;
}

export function registerConformance(dcsAdapter: DcsAdapterModule<unknown>, startMyServer: () => Promise<MyServer>): void {
  runConformance({
    module: dcsAdapter,
    server: async () => {
      const server = await startMyServer(); // a real server on a free loopback port
      return {
        section: { hosts: [server.address] }, // the patroni.yml section, as a user writes it
        readRaw: (path) => server.get(path), // a key read behind the adapter's back
        stop: () => server.stop(),
        start: () => server.start(),
        freeze: () => server.freeze(), // SIGSTOP: connected, but nothing answers
        thaw: () => server.thaw(),
        close: () => server.close(),
      };
    },
  });
}
