/**
 * A reloaded `restapi` section: the server is replaced, as Patroni restarts its server
 * when the listen address changes. A new address is bound before the old server closes,
 * so a bind failure leaves the old one serving; on the same port the old one must
 * close first, and if the new one then fails, the old settings are started again.
 */
import type { Logger } from '@pgwarden/core';
import { RestApiServer, type RestApiOptions } from '../api/server.js';
import { parseListen } from '../api/listen.js';
import { oneLine } from './open-dcs.js';

export async function restartApi(old: RestApiServer, next: RestApiOptions, logger: Logger, previous?: RestApiOptions): Promise<RestApiServer> {
  const from = old.address();
  const to = parseListen(next.config.listen);
  if (to.port !== from.port) {
    const started = await RestApiServer.start(next);
    await old.close();
    logger.info(`REST API restarted on ${started.url}`);
    return started;
  }
  // The same port (whatever the host spelling): only one server can hold it.
  await old.close();
  try {
    const started = await RestApiServer.start(next);
    logger.info(`REST API restarted on ${started.url} with the new settings`);
    return started;
  } catch (error) {
    if (!previous) throw error;
    logger.error(`REST API could not restart with the new settings (${oneLine(error)}); restarting with the old ones`);
    return RestApiServer.start(previous);
  }
}
