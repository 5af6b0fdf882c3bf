import {
  BadRequestException,
  ConflictException,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { HotendConfigService } from '../config/config.service.js';
import type { AfterResponse } from './after-response.js';
import { commandEnvironment } from './command-environment.js';
import { type CapturedOutput, type CommandOutcome, CommandRunner, type RunningCommand } from './command-runner.js';
import { coreCommands, customCommands, DIVIDER, type SystemCommandDefinition } from './system-commands.js';
import {
  type ClientCommandDefinitionDto,
  SYSTEM_COMMAND_SOURCES,
  type SystemCommandSource,
  type SystemCommandsResponseDto,
} from './system.dto.js';

/** Bytes of stdout and of stderr kept per run. */
export const OUTPUT_LIMIT_BYTES = 64 * 1024;
/** Characters of each stream quoted in an error or log line. */
export const OUTPUT_TAIL_CHARS = 2000;

function isSource(source: string): source is SystemCommandSource {
  return (SYSTEM_COMMAND_SOURCES as readonly string[]).includes(source);
}

function tailOf(label: string, output: CapturedOutput): string[] {
  const text = output.text.replace(/\s+$/, '');
  if (text === '') return [];
  const tail = text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text;
  const shortened = tail.length < text.length || output.droppedBytes > 0;
  return [`${label}${shortened ? ' (last part)' : ''}:`, tail];
}

/** `true` when the outcome counts as success for this definition. */
export function succeeded(definition: SystemCommandDefinition, outcome: CommandOutcome): boolean {
  if (outcome.timedOut || outcome.startError !== undefined) return false;
  return outcome.exitCode === 0 || definition.ignore;
}

/** One message saying what went wrong, with the tail of the output once (not OctoPrint's doubly wrapped text). */
export function describeFailure(
  definition: SystemCommandDefinition,
  outcome: CommandOutcome,
  timeoutSeconds: number,
): string {
  const id = `${definition.source}:${definition.action}`;
  let headline: string;
  if (outcome.startError !== undefined) headline = `Command ${id} could not be started: ${outcome.startError}`;
  else if (outcome.timedOut)
    headline = `Command ${id} did not finish within ${timeoutSeconds} s and was killed with its whole process group`;
  else if (outcome.exitCode !== null) headline = `Command ${id} failed with exit code ${outcome.exitCode}`;
  else headline = `Command ${id} was ended by signal ${outcome.signal ?? 'unknown'}`;
  return [headline, ...tailOf('stdout', outcome.stdout), ...tailOf('stderr', outcome.stderr)].join('\n');
}

@Injectable()
export class SystemService implements OnApplicationShutdown {
  private readonly logger = new Logger('hotend.system');
  /** `source:action` of every command still running, so the same one is not started twice. */
  private readonly running = new Map<string, { async: boolean; process?: RunningCommand }>();

  constructor(
    private readonly config: HotendConfigService,
    private readonly runner: CommandRunner,
  ) {}

  listSystemCommands(baseUrl: string): SystemCommandsResponseDto {
    return {
      core: this.clientDefinitions('core', baseUrl),
      custom: this.clientDefinitions('custom', baseUrl),
      plugin: this.clientDefinitions('plugin', baseUrl),
    };
  }

  listSystemCommandsForSource(source: string, baseUrl: string): ClientCommandDefinitionDto[] {
    if (!isSource(source)) throw this.unknownSource(source);
    return this.clientDefinitions(source, baseUrl);
  }

  async executeSystemCommand(
    source: string,
    action: string,
    caller: ResolvedKey | undefined,
    afterResponse: AfterResponse,
  ): Promise<void> {
    // OctoPrint's order: a divider is refused before anything is looked up.
    if (action === DIVIDER) throw new BadRequestException('Dividers cannot be executed');
    if (!isSource(source)) throw this.unknownSource(source);
    const definition = this.definitions(source).find((entry) => entry.action === action);
    if (definition?.command === undefined) {
      throw new NotFoundException(`There is no system command "${action}" in source "${source}"`);
    }
    const id = `${source}:${action}`;
    if (this.running.has(id)) {
      throw new ConflictException(`Command ${id} is still running; try again once it has finished`);
    }
    const slot: { async: boolean; process?: RunningCommand } = { async: definition.async };
    this.running.set(id, slot);
    this.logger.log(`Command ${id} requested by API key "${caller?.name ?? 'anonymous'}"`);

    if (definition.async) {
      // Answer first: a restart or shutdown may take Hotend down before it could reply.
      afterResponse(() => void this.runAsync(definition, id, slot));
      return;
    }
    const timeoutSeconds = this.config.get().system.commandTimeout;
    const outcome = await this.start(definition, slot, timeoutSeconds * 1000).finally(() => this.running.delete(id));
    this.logOutcome(definition, id, outcome, timeoutSeconds);
    if (!succeeded(definition, outcome)) {
      throw new InternalServerErrorException(describeFailure(definition, outcome, timeoutSeconds));
    }
  }

  /**
   * On stop, a synchronous command's caller is gone, so its process group is killed; an asynchronous one (a
   * restart, say) is left running without Hotend waiting for it.
   */
  onApplicationShutdown(): void {
    for (const [id, slot] of this.running) {
      if (slot.async) {
        slot.process?.detach();
        this.logger.log(`Leaving ${id} running while Hotend stops`);
      } else {
        slot.process?.kill();
        this.logger.warn(`Killed ${id}: Hotend is stopping`);
      }
    }
  }

  private async runAsync(definition: SystemCommandDefinition, id: string, slot: { process?: RunningCommand }) {
    try {
      const outcome = await this.start(definition, slot, undefined);
      this.logOutcome(definition, id, outcome, undefined);
    } finally {
      this.running.delete(id);
    }
  }

  private start(
    definition: SystemCommandDefinition,
    slot: { process?: RunningCommand },
    timeoutMs: number | undefined,
  ): Promise<CommandOutcome> {
    const handle = this.runner.run({
      commandLine: definition.command ?? '',
      cwd: this.config.paths.basedir,
      environment: commandEnvironment(this.config.paths.basedir, this.config.get().system.environment),
      outputLimitBytes: OUTPUT_LIMIT_BYTES,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    slot.process = handle;
    return handle.outcome;
  }

  private logOutcome(
    definition: SystemCommandDefinition,
    id: string,
    outcome: CommandOutcome,
    timeoutSeconds: number | undefined,
  ): void {
    if (outcome.exitCode === 0) this.logger.log(`Command ${id} finished successfully`);
    else if (succeeded(definition, outcome)) this.logger.log(`Command ${id} exited with ${outcome.exitCode} (ignored)`);
    else this.logger.warn(describeFailure(definition, outcome, timeoutSeconds ?? 0));
  }

  private definitions(source: SystemCommandSource): SystemCommandDefinition[] {
    const config = this.config.get();
    switch (source) {
      case 'core':
        return coreCommands(config.server.commands);
      case 'custom':
        return customCommands(config.system.actions);
      case 'plugin':
        return [];
    }
  }

  private clientDefinitions(source: SystemCommandSource, baseUrl: string): ClientCommandDefinitionDto[] {
    return this.definitions(source).map((definition) => ({
      action: definition.action,
      ...(definition.name === undefined ? {} : { name: definition.name }),
      ...(definition.confirm === undefined ? {} : { confirm: definition.confirm }),
      source: definition.source,
      resource: `${baseUrl}/api/system/commands/${encodeURIComponent(source)}/${encodeURIComponent(definition.action)}`,
    }));
  }

  private unknownSource(source: string): NotFoundException {
    return new NotFoundException(
      `Unknown command source "${source}"; expected one of ${SYSTEM_COMMAND_SOURCES.join(', ')}`,
    );
  }
}
