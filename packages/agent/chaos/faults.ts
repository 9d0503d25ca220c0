/**
 * Turning a planned fault into signals, firewall rules, link changes and proxy delays on
 * the live cluster, and healing it. `inject` resolves the target (`primary` → the node
 * in the leader key now) and returns the heal step, so each fault is undone exactly.
 */
import { signalPid } from '@pgwarden/testkit';
import type { ChaosCluster, ChaosNode } from './cluster.js';
import { applyDropRules, clearDropRules } from './firewall.js';
import { setLink } from './network.js';
import type { PlannedFault } from './schedule.js';

export interface InjectedFault {
  /** What was hit, e.g. `node2 agent pid 1234`; `skipped: …` when there was nothing to hit. */
  readonly detail: string;
  heal(): Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

async function resolveNode(cluster: ChaosCluster, fault: PlannedFault): Promise<ChaosNode> {
  if (fault.target !== 'primary') return cluster.nodes[fault.target % cluster.nodes.length]!;
  const leader = await cluster.leaderName();
  return cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0]!;
}

function signalFault(what: string, pid: number | null, stop: boolean, restart: () => Promise<void> = nothing): InjectedFault {
  if (pid === null) return { detail: `skipped: no ${what} running`, heal: nothing };
  signalPid(pid, stop ? 'SIGSTOP' : 'SIGKILL');
  return {
    detail: `${what} pid ${pid}`,
    heal: stop ? async () => signalPid(pid, 'SIGCONT') : restart,
  };
}

export async function inject(cluster: ChaosCluster, fault: PlannedFault): Promise<InjectedFault> {
  const members = cluster.etcd.members;
  switch (fault.kind) {
    case 'sigstop-etcd':
    case 'sigkill-etcd': {
      const m = members[Number(fault.target) % members.length]!;
      if (!m.running) return { detail: `skipped: etcd ${m.name} not running`, heal: nothing };
      if (fault.kind === 'sigstop-etcd') {
        await m.freeze();
        return { detail: `etcd ${m.name} pid ${m.pid}`, heal: () => m.thaw() };
      }
      const pid = m.pid;
      await m.kill();
      return { detail: `etcd ${m.name} pid ${pid}`, heal: () => m.start() };
    }
    case 'etcd-quorum-loss': {
      const first = Number(fault.target) % members.length;
      const two = [members[first]!, members[(first + 1) % members.length]!];
      for (const m of two) await m.stop();
      return { detail: `etcd ${two.map((m) => m.name).join(' and ')} stopped`, heal: async () => void (await Promise.all(two.map((m) => m.start()))) };
    }
    default:
      break;
  }
  const node = await resolveNode(cluster, fault);
  const others = cluster.nodes.filter((n) => n !== node);
  switch (fault.kind) {
    case 'partition-from-etcd':
      applyDropRules(node.namespace, { peers: [], hostPorts: node.etcdProxies.map((p) => p.port), hostAddress: cluster.net.hostAddress, inboundSources: [] });
      return { detail: `${node.name} cut from etcd`, heal: async () => clearDropRules(node.namespace) };
    case 'partition-from-nodes':
      applyDropRules(node.namespace, {
        peers: others.map((n) => n.address),
        hostPorts: others.map((n) => n.replicationProxy.port),
        hostAddress: cluster.net.hostAddress,
        inboundSources: [cluster.net.proxySourceAddress],
      });
      return { detail: `${node.name} cut from the other nodes`, heal: async () => clearDropRules(node.namespace) };
    case 'partition-both':
      setLink(cluster.net, node.index, false);
      return { detail: `${node.name} link down`, heal: async () => setLink(cluster.net, node.index, true) };
    case 'sigstop-agent':
    case 'sigkill-agent':
      return signalFault(`${node.name} agent`, cluster.agentPid(node), fault.kind === 'sigstop-agent', async () => cluster.startAgent(node));
    case 'sigstop-postmaster':
    case 'sigkill-postmaster':
      // A killed postmaster is the agent's to restart.
      return signalFault(`${node.name} postmaster`, cluster.postmasterPid(node), fault.kind === 'sigstop-postmaster');
    case 'sigstop-guard':
    case 'sigkill-guard':
      return signalFault(`${node.name} fence guard`, cluster.guardPid(node), fault.kind === 'sigstop-guard');
    case 'clock-jump': {
      const seconds = fault.clockJumpSeconds ?? 0;
      cluster.setClockOffset(node, seconds);
      return { detail: `${node.name} agent clock ${seconds >= 0 ? '+' : ''}${seconds} s`, heal: async () => cluster.setClockOffset(node, 0) };
    }
    case 'latency-dcs':
    case 'latency-replication': {
      const proxies = fault.kind === 'latency-dcs' ? node.etcdProxies : [node.replicationProxy];
      for (const p of proxies) p.setDelay(fault.latencyMs ?? 0);
      return {
        detail: `${node.name} ${fault.kind === 'latency-dcs' ? 'DCS' : 'replication'} +${fault.latencyMs} ms`,
        heal: async () => proxies.forEach((p) => p.setDelay(0)),
      };
    }
  }
  throw new Error(`unknown fault kind ${fault.kind}`);
}

/** Undoes anything a fault could have left behind: used before the quiet period and on abort. */
export async function healEverything(cluster: ChaosCluster): Promise<void> {
  for (const n of cluster.nodes) {
    clearDropRules(n.namespace);
    setLink(cluster.net, n.index, true);
    cluster.setClockOffset(n, 0);
    for (const p of [...n.etcdProxies, n.replicationProxy]) p.setDelay(0);
    for (const pid of [cluster.agentPid(n), cluster.postmasterPid(n), cluster.guardPid(n)]) if (pid !== null) signalPid(pid, 'SIGCONT');
    if (!cluster.agentPid(n)) cluster.startAgent(n);
  }
  const stopped = cluster.etcd.members.filter((m) => !m.running);
  for (const m of cluster.etcd.members) if (m.running) await m.thaw();
  await Promise.all(stopped.map((m) => m.start()));
}
