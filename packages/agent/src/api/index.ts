export { RestApiServer, type RestApiOptions } from './server.js';
export type {
  ApiActions,
  FailoverKey,
  NodeStateSource,
  RestApiConfig,
  RestartRequest,
  ScheduledRestartRequest,
} from './types.js';
export { renderMetrics, paddedSemver } from './metrics.js';
export { parseListen, type ListenAddress } from './listen.js';
