/** Every pgwardenctl command, by name, in `--help` order. */
import type { Command } from '../context.js';
import { demoteClusterCommand, promoteClusterCommand } from './cluster-role.js';
import { dsnCommand } from './dsn.js';
import { editConfigCommand } from './edit-config.js';
import { flushCommand } from './flush.js';
import { historyCommand } from './history.js';
import { listCommand, topologyCommand } from './list.js';
import { pauseCommand, resumeCommand } from './pause.js';
import { queryCommand } from './query.js';
import { reinitCommand } from './reinit.js';
import { reloadCommand } from './reload.js';
import { removeCommand } from './remove.js';
import { restartCommand } from './restart.js';
import { showConfigCommand } from './show-config.js';
import { failoverCommand, switchoverCommand } from './switchover.js';
import { versionCommand } from './version.js';

export const COMMANDS: readonly Command[] = [
  demoteClusterCommand,
  dsnCommand,
  editConfigCommand,
  failoverCommand,
  flushCommand,
  historyCommand,
  listCommand,
  pauseCommand,
  promoteClusterCommand,
  queryCommand,
  reinitCommand,
  reloadCommand,
  removeCommand,
  restartCommand,
  resumeCommand,
  showConfigCommand,
  switchoverCommand,
  topologyCommand,
  versionCommand,
];
