/** pgwardenctl's options before COMMAND; `--help` prints them from this table. */
import type { OptionSpec } from './args.js';
import { HELP_NAMES } from './help.js';

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { names: ['-c', '--config-file'], value: true, key: 'config_file', metavar: 'FILE', help: 'Configuration file (default ~/.config/patroni/patronictl.yaml, or $PATRONICTL_CONFIG_FILE)' },
  { names: ['-d', '--dcs-url', '--dcs'], value: true, key: 'dcs_url', metavar: 'URL', help: 'The DCS connect url, e.g. etcd3://host:2379, zookeeper://host:2181, consul://host:8500' },
  { names: ['-k', '--insecure'], key: 'insecure', help: 'Allow connections to SSL sites without certs' },
  { names: ['--api'], value: true, key: 'api', metavar: 'URL', help: "Read the cluster from this member's REST API instead of the DCS" },
  { names: [...HELP_NAMES], key: 'help', help: 'Show this message and exit.' },
];
