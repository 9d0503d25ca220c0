export { decide } from './decide/index.js';
export {
  decision,
  gateOf,
  branches,
  mapLeaves,
  mapBranches,
  GATE_OUTCOMES,
  walk,
  type Action,
  type ActionType,
  type AsyncAction,
  type Decision,
  type DemoteMode,
  type Gate,
} from './actions.js';
export { REASONS, type ReasonCode } from './reasons.js';
export * from './view.js';
export { readTags, DEFAULT_TAGS, type NodeTags } from './tags.js';
export { primaryStopTimeoutMs, boundedStopMs, type StopTimeoutSettings } from './primary-stop-timeout.js';
export { bySyncPriority } from './decide/sync-priority.js';
export { parsePeerStatus, unreachablePeer, failoverLimitation, type PeerStatus } from './peers.js';
export type { HaPostgres, PeerAddress, PeerStatusFetcher, FailsafeBody, FailsafePoster, HaWatchdog } from './ports.js';
export { createNode, type NodePorts, type HaNode } from './create-node.js';
export { NO_PEERS, type PeerClient } from './peer-client.js';
export { httpPeerClient, type HttpPeerClientOptions } from './http-peer-client.js';
export { NO_LEASE_GUARD, combineLeaseGuards, leaseGuardSettlement, type LeaseGuard, type LeaseGuardReadiness, type LeaseTiming } from './lease-guard.js';
export { buildMemberData, publishedTags, tagsForMemberKey, type MemberDataInput } from './member-data.js';
export { isPgwardenMember, memberKeyRole, primaryRoleName } from './member-role.js';
export { Executor, type ExecutorDeps, type ExecutionContext } from './executor.js';
export { TaskRunner, type TaskResult, type TaskOutcome } from './task-runner.js';
export { memoryAfterTask } from './task-results.js';
export type { CycleState } from './cycle-state.js';
export { HaLoop, PEER_STATUS_TIMEOUT_MS, type EngineRewrite, type HaStatus } from './loop.js';
export { serverVersionNumber, type ScheduledRestartEntry } from './scheduled-restart.js';
