import { parseArgs } from 'node:util';
import { createHotendApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.loader.js';

const USAGE = `Usage: hotend [--basedir <dir>] [--host <address>] [--port <port>]

  --basedir  data directory holding config.yaml, logs/ and the database (default ./data, env HOTEND_BASEDIR)
  --host     address to listen on (default from config.yaml, 0.0.0.0)
  --port     port to listen on (default from config.yaml, 5000; env HOTEND_PORT)`;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port: "${text}" is not a port number`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      basedir: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const loaded = loadConfig(values.basedir ?? process.env['HOTEND_BASEDIR'] ?? './data');
  const port = parsePort(values.port ?? process.env['HOTEND_PORT']) ?? loaded.config.server.port;
  const host = values.host ?? loaded.config.server.host;

  const app = await createHotendApp(loaded);
  await app.listen({ port, host });

  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const base = `http://${shownHost}:${actualPort}`;
  console.log(`Hotend is listening on ${base} (data in ${loaded.basedir})`);
  console.log(`Swagger UI: ${base}/api/docs`);
  if (loaded.generatedAdminKey !== undefined) {
    console.log('');
    console.log(`First start: generated an admin API key and saved it to ${loaded.file}:`);
    console.log(`  ${loaded.generatedAdminKey}`);
    console.log('Use it as the X-Api-Key header, or with "Authorize" in the Swagger UI. It is shown only this once.');
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`hotend: ${error.message}`);
  } else {
    console.error('hotend: failed to start:', error);
  }
  process.exit(1);
});
