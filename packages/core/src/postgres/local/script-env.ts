/**
 * The environment for the programs and user scripts the controller runs (callbacks,
 * pre_promote, before_stop, post_bootstrap, custom bootstrap/replica methods, libpq
 * tools): the agent's own, minus the PATRONI_* / PGWARDEN_* variables that carry secrets
 * (…PASSWORD, …TOKEN, …AUTH_DATA, …CONFIGURATION, or a URL with credentials). The same
 * rule as the agent's `scrubEnvironment`, restated here because core must not import the
 * agent. Variables other programs own (PGPASSWORD, PATH…) pass unchanged.
 */
const PREFIXES = ['PATRONI_', 'PGWARDEN_'];
const SECRET_NAME = /(PASSWORD|TOKEN|AUTH_DATA|^CONFIGURATION)$/;
const CREDENTIALS_IN_URL = /\/\/[^/@\s]*:[^/@\s]*@/;

export function scriptEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const prefix = PREFIXES.find((p) => name.startsWith(p));
    if (prefix && (SECRET_NAME.test(name.slice(prefix.length)) || CREDENTIALS_IN_URL.test(value))) continue;
    out[name] = value;
  }
  return out;
}
