import { Readable } from 'node:stream';
import { HotendApiError, type UploadProgress } from '@hotend/sdk';
import { uploadStream } from '@hotend/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

/** `client.files.*` against the real server: every method sends what OctoPrint's client sends and reads the answer. */
describe('SDK files', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('uploads a Blob with progress, lists, gets, downloads', async () => {
    const files = server.client().files;
    const progress: UploadProgress[] = [];
    const text = 'G28\nG1 X5 E1\n'.repeat(20_000);
    const result = await files.upload(
      'local',
      new Blob([text]),
      { filename: 'blob.gcode', userdata: { from: 'sdk' } },
      {
        onProgress: (event) => progress.push(event),
      },
    );
    expect(result).toMatchObject({ done: true, files: { local: { path: 'blob.gcode' } } });
    expect(progress.at(-1)?.loaded).toBeGreaterThanOrEqual(text.length);
    const entry = await files.get('local', 'blob.gcode');
    expect(entry).toMatchObject({ name: 'blob.gcode', size: text.length, userdata: { from: 'sdk' } });
    expect((await files.list()).files.map((file) => file.name)).toContain('blob.gcode');
    expect((await files.listForLocation('local', true)).files.length).toBeGreaterThan(0);
    expect(await files.download('blob.gcode', { range: { start: 0, end: 3 } })).toBe('G28\n');
    expect(files.downloadPath('a b/c.gcode')).toBe(`${server.url}/downloads/files/local/a%20b%2Fc.gcode`);
  });

  it('uploads a Node stream without knowing its size, into a folder', async () => {
    const client = server.client();
    const lines = Readable.from(
      (function* () {
        for (let index = 0; index < 1000; index += 1) yield Buffer.from(`G1 X${index % 100} Y1\n`);
      })(),
    );
    const progress: UploadProgress[] = [];
    const result = await uploadStream(
      client,
      'local',
      lines,
      { path: 'streamed', select: false },
      {
        filename: 'stream.gcode',
        onProgress: (event) => progress.push(event),
      },
    );
    expect(result).toMatchObject({ files: { local: { path: 'streamed/stream.gcode' } } });
    expect(progress.length).toBeGreaterThan(0);
    const entry = await client.files.get('local', 'streamed/stream.gcode');
    expect(entry.size).toBeGreaterThan(8000);
  });

  it('creates folders, copies, moves, deletes; errors arrive as HotendApiError with the message', async () => {
    const files = server.client().files;
    expect(await files.createFolder('local', 'archive')).toMatchObject({ folder: { path: 'archive' }, done: true });
    expect(await files.copy('local', 'blob.gcode', 'archive')).toMatchObject({ path: 'archive/blob.gcode' });
    expect(await files.move('local', 'archive/blob.gcode', 'archive/renamed.gcode')).toMatchObject({
      path: 'archive/renamed.gcode',
    });
    await files.analyse('local', 'archive/renamed.gcode');
    await files.delete('local', 'archive');
    const error = await files.get('local', 'archive').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HotendApiError);
    expect((error as HotendApiError).status).toBe(404);
    const refused = await server
      .client(TEST_KEYS.FILES_LIST)
      .files.upload('local', new Blob(['G28\n']), { filename: 'no.gcode' })
      .catch((caught: unknown) => caught);
    expect((refused as HotendApiError).status).toBe(403);
    const unselect = await files.unselect('local').catch((caught: unknown) => caught);
    // No printer is connected, so the printer is not ready to change the selection.
    expect((unselect as HotendApiError).body).toEqual({
      error: 'Printer is already printing, cannot unselect current file',
    });
  });
});
