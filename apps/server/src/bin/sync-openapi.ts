import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createHotendApp } from '../app.factory.js';
import { loadConfig, writeConfigFile } from '../config/config.loader.js';
import { buildOpenApiDocument } from '../openapi.js';

/**
 * Writes the repository's openapi.yaml from the built app (the swagger plugin only runs in `nest build`).
 * The app boots in a scratch base directory with the printer connection off, so nothing touches real data.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? fileURLToPath(new URL('../../../../openapi.yaml', import.meta.url)));
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-openapi-'));
  try {
    writeConfigFile(join(basedir, 'config.yaml'), 'serial:\n  autoconnect: false\n');
    const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
    await app.init();
    const document = buildOpenApiDocument(app);
    await app.close();
    writeFileSync(target, stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }));
    console.log(`Wrote ${target}`);
  } finally {
    rmSync(basedir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
