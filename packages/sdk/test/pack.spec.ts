import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SDK_DIR } from './compile.js';

const scratch = mkdtempSync(join(tmpdir(), 'hotend-sdk-pack-'));
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** What a user gets from the registry: `npm pack` (which builds first), installed into a project of its own. */
describe('the packed SDK', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs the built code, types, README and LICENSE, and no tests', () => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], SDK_DIR)) as {
      files: { path: string }[];
    }[];
    const files = (packed?.files ?? []).map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/node.js',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    expect(files.filter((file) => /spec|^test\//.test(file))).toEqual([]);
  });

  it('installs into a scratch project, imports and talks to a server', () => {
    const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = join(scratch, 'project');
    execFileSync('mkdir', [project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', join(scratch, tarball ?? ''), '--prefer-offline', '--no-audit', '--no-fund'], project);
    const script = `
import { createServer } from 'node:http';
import { HotendClient, HotendApiError } from '@hotend/sdk';
import { downloadLogStream } from '@hotend/sdk/node';
const server = createServer((request, response) => {
  if (request.url === '/api/version') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"api":"0.1","server":"0.1.0","text":"Hotend 0.1.0"}');
  if (request.url === '/downloads/logs/a.log') return response.writeHead(200, { 'content-type': 'text/plain' }).end('log text');
  response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const client = new HotendClient({ baseUrl: 'http://127.0.0.1:' + server.address().port, apiKey: 'k' });
const { text } = await client.version.get();
let chunks = '';
for await (const chunk of await downloadLogStream(client, 'a.log')) chunks += chunk;
const refused = await client.server.get().catch((error) => error instanceof HotendApiError && error.body.error);
console.log(JSON.stringify({ text, chunks, refused }));
server.close();
`;
    writeFileSync(join(project, 'run.mjs'), script);
    const output = execFileSync(process.execPath, ['run.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ text: 'Hotend 0.1.0', chunks: 'log text', refused: 'Not found' });
  });
});
