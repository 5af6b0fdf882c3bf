import type { Http } from './http.js';
import type { ClientCommandDefinition, SystemCommandSource, SystemCommands } from './types.js';

/** `/api/system/commands`: OctoPrint's `OctoPrint.system` component (needs the SYSTEM permission). */
export class SystemApi {
  constructor(private readonly http: Http) {}

  /** Every command, grouped by source (`core`, `custom`, and an always empty `plugin`). */
  getCommands(): Promise<SystemCommands> {
    return this.http.get('/api/system/commands');
  }

  /** The commands of one source, as a bare array. */
  getCommandsForSource(source: SystemCommandSource): Promise<ClientCommandDefinition[]> {
    return this.http.get('/api/system/commands/{source}', { path: { source } });
  }

  /**
   * Runs a command. Resolves when the server answered 204: at once for asynchronous commands, once the command
   * exited successfully for synchronous ones. A failure rejects with `HotendApiError` (500 with the exit code and
   * output tail, 409 while it is still running, 404 unknown, 400 divider).
   */
  async executeCommand(source: SystemCommandSource, action: string): Promise<void> {
    await this.http.post('/api/system/commands/{source}/{action}', undefined, { path: { source, action } });
  }
}
