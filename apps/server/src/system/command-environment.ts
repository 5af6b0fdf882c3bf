/** Where commands look for programs when Hotend itself was started without a PATH. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment system commands run with: only PATH, HOME and LANG (from Hotend's own environment, or defaults),
 * HOTEND_BASEDIR, and what `system.environment` adds. Nothing else of Hotend's environment is passed on, so a
 * secret in it (a token, a password) reaches no script unless the configuration names it.
 */
export function commandEnvironment(
  basedir: string,
  configured: Readonly<Record<string, string>>,
  inherited: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return {
    PATH: inherited['PATH'] ?? DEFAULT_PATH,
    HOME: inherited['HOME'] ?? basedir,
    LANG: inherited['LANG'] ?? 'C.UTF-8',
    HOTEND_BASEDIR: basedir,
    ...configured,
  };
}
