import { parseArgs } from 'node:util';
import { createHotendApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.loader.js';

const USAGE = `Usage: hotend [--basedir <dir>] [--host <address>] [--port <port>]

  --basedir  data directory holding config.yaml, logs/ and the database (default ./data, env HOTEND_BASEDIR)
  --host     address to listen on (default from config.yaml, 0.0.0.0)
  --port     port to listen on (default from config.yaml, 5000; env HOTEND_PORT)

A failure to start is one line; set HOTEND_DEBUG=1 to see its stack.`;

/** A mistake in how Hotend was called: said in one line, followed by the usage. */
class UsageError extends Error {}

const OPTIONS = {
  basedir: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${text}" is not a port number`);
  return port;
}

function parseCommandLine(): ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'] {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The one line a start failure deserves; the stack of an unexpected one only with HOTEND_DEBUG set. */
function describeFailure(error: unknown, port: number | undefined): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return `port ${port ?? ''} is already in use; choose another with --port or server.port`;
  if (code === 'EACCES') return `not allowed to listen on port ${port ?? ''}; use a port above 1023`;
  if (process.env['HOTEND_DEBUG'] !== undefined && error instanceof Error && error.stack !== undefined)
    return error.stack;
  return error instanceof Error ? error.message : String(error);
}

let listenPort: number | undefined;

async function main(): Promise<void> {
  const values = parseCommandLine();
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const loaded = loadConfig(values.basedir ?? process.env['HOTEND_BASEDIR'] ?? './data');
  const port = parsePort(values.port ?? process.env['HOTEND_PORT']) ?? loaded.config.server.port;
  const host = values.host ?? loaded.config.server.host;

  const app = await createHotendApp(loaded);
  listenPort = port;
  // Fastify's own listen: Nest's would also log a failure (a port in use) as an error with its stack.
  await app.init();
  await app.getHttpAdapter().getInstance().listen({ port, host });

  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const base = `http://${shownHost}:${actualPort}`;
  console.log('');
  console.log(`  Hotend is running:  ${base}`);
  console.log(`  API docs:           ${base}/api/docs`);
  console.log(`  Data directory:     ${loaded.basedir}`);
  if (loaded.generatedAdminKey !== undefined) {
    console.log('');
    console.log(`  Admin API key:      ${loaded.generatedAdminKey}`);
    console.log(`  (generated on first start and saved to ${loaded.file}; shown only this once. Send it as the`);
    console.log('  X-Api-Key header, or paste it into "Authorize" in the API docs.)');
  }
  console.log('');
}

/** Settles once the server listens (or has printed its help); the bundle's loader then writes its code cache. */
export const started = main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`hotend: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof ConfigError) {
    console.error(`hotend: ${error.message}`);
  } else {
    console.error(`hotend: failed to start: ${describeFailure(error, listenPort)}`);
  }
  process.exit(1);
});
