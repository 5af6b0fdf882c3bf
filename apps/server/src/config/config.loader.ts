import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { Document, parseDocument } from 'yaml';
import { Permission } from '../auth/permission.js';
import { HotendConfig, type SystemActionConfig } from './config.schema.js';

export const CONFIG_FILE_NAME = 'config.yaml';

/** A config problem that must stop the server; the message names the key and what is wrong with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  readonly basedir: string;
  readonly file: string;
  readonly config: HotendConfig;
  /** Set only on the start that created the admin key, so it can be shown once. */
  readonly generatedAdminKey?: string;
}

/** `a.b[0].c: message; message` for every failed constraint, depth first. */
export function describeValidationErrors(errors: readonly ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    const own = error.constraints ? [`${path}: ${Object.values(error.constraints).join('; ')}`] : [];
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/** What the decorators cannot see: duplicate actions and dividers that carry a command. */
function describeSystemActionProblems(entries: readonly SystemActionConfig[]): string[] {
  if (!Array.isArray(entries)) return [];
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object' || typeof entry.action !== 'string') return;
    if (entry.action === 'divider') {
      if (entry.command !== undefined) problems.push(`system.actions[${index}].command: a divider has no command`);
      return;
    }
    const earlier = firstIndex.get(entry.action);
    if (earlier === undefined) firstIndex.set(entry.action, index);
    else
      problems.push(
        `system.actions[${index}].action: "${entry.action}" is already defined by system.actions[${earlier}]`,
      );
  });
  return problems;
}

/** Validates a plain object (as parsed from YAML) into a HotendConfig, or throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, source: string): HotendConfig {
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${source}: the top level must be a mapping of sections (server, api, serial, ...)`);
  }
  const config = plainToInstance(HotendConfig, raw ?? {}, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  const problems = describeValidationErrors(errors);
  problems.push(...describeSystemActionProblems(config.system.actions));
  const names = config.api.keys.map((entry) => entry.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) problems.push(`api.keys: the key name "${name}" is used twice`);
  });
  if (problems.length > 0) throw new ConfigError(`Invalid configuration in ${source}:\n  ${problems.join('\n  ')}`);
  return config;
}

/** Writes atomically with mode 0600: the file holds API keys. */
export function writeConfigFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
  chmodSync(file, 0o600);
}

function readDocument(file: string): Document {
  const document = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(`${file} is not valid YAML: ${document.errors.map((error) => error.message).join('; ')}`);
  }
  return document;
}

/** The config file as it is now, validated (for reloading parts of it while running). */
export function readConfigFile(file: string): HotendConfig {
  return validateConfig(readDocument(file).toJS(), file);
}

export function generateApiKey(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Reads `<basedir>/config.yaml`, creating it (and the base directory) on first start. A config without any key
 * gets a generated admin key, written back, so a fresh install is usable and never open.
 */
export function loadConfig(basedirOption: string): LoadedConfig {
  const basedir = resolve(basedirOption);
  mkdirSync(basedir, { recursive: true });
  const file = join(basedir, CONFIG_FILE_NAME);
  const document = existsSync(file) ? readDocument(file) : new Document({});
  let config = validateConfig(document.toJS(), file);

  let generatedAdminKey: string | undefined;
  if (config.api.keys.length === 0) {
    generatedAdminKey = generateApiKey();
    const entry = { name: 'admin', key: generatedAdminKey, permissions: [Permission.ADMIN] };
    document.setIn(['api', 'keys'], document.createNode([entry]));
    config = validateConfig(document.toJS(), file);
    writeConfigFile(file, document.toString());
  }
  return generatedAdminKey === undefined ? { basedir, file, config } : { basedir, file, config, generatedAdminKey };
}

/** Changes one key in the file on disk, keeping the user's comments and layout, and validates the result. */
export function persistConfigValue(file: string, path: readonly string[], value: unknown): HotendConfig {
  const document = existsSync(file) ? readDocument(file) : new Document({});
  document.setIn(path, value === undefined ? null : document.createNode(value));
  const config = validateConfig(document.toJS(), file);
  writeConfigFile(file, document.toString());
  return config;
}
