import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { abortedUpload, buildForm, postForm, type FormPart } from './multipart.js';

/**
 * The Files API end to end against the real server (no printer attached): real multipart bodies, shaped byte for
 * byte as PrusaSlicer/OrcaSlicer (libcurl mime) and Cura (Qt multipart) send them, and the files on disk.
 */

const ADMIN = { 'x-api-key': TEST_KEYS.ADMIN };
const GCODE = 'G28 ; home\nG1 X10 Y10 Z0.2 F3000\nG1 X20 E5 ; filament_diameter = 1.75\n';

const filePart = (filename: string, value: string | Buffer = GCODE): FormPart => ({
  name: 'file',
  filename,
  value,
  contentType: 'application/octet-stream',
});

describe('Files API', () => {
  let server: TestServer;
  let base: string;
  const upload = (parts: FormPart[], headers: Record<string, string> = ADMIN, location = 'local') =>
    postForm(`${base}/api/files/${location}`, buildForm(parts), headers);
  const getJson = async <T = Record<string, unknown>>(path: string, headers: Record<string, string> = ADMIN) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };
  const command = async (path: string, body: unknown, headers: Record<string, string> = ADMIN) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  };
  const uploads = () => join(server.basedir, 'uploads');

  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores an upload: 201, Location, done, SHA-1 and uploader; analysis arrives in the background', async () => {
    const response = await upload([filePart('bracket.gcode')]);
    expect(response.status).toBe(201);
    const body = response.json<{ files: { local: { path: string; refs: { resource: string } } }; done: boolean }>();
    expect(body.done).toBe(true);
    expect(body).toMatchObject({ effectiveSelect: false, effectivePrint: false });
    expect(response.headers['location']).toBe(body.files.local.refs.resource);
    expect(body.files.local.refs.resource).toBe(`${base}/api/files/local/bracket.gcode`);
    expect(readFileSync(join(uploads(), 'bracket.gcode'), 'utf8')).toBe(GCODE);
    await vi.waitFor(
      async () => {
        const entry = (await getJson<Record<string, unknown>>('/api/files/local/bracket.gcode')).body;
        expect(entry['gcodeAnalysis']).toMatchObject({ filament: { tool0: { length: 5 } } });
        expect(entry['analysisPending']).toBeUndefined();
      },
      { timeout: 15_000, interval: 100 },
    );
    const entry = (await getJson<Record<string, unknown>>('/api/files/local/bracket.gcode')).body;
    expect(entry).toMatchObject({
      name: 'bracket.gcode',
      display: 'bracket.gcode',
      type: 'machinecode',
      typePath: ['machinecode', 'gcode'],
      origin: 'local',
      size: GCODE.length,
      user: 'admin',
      hash: createHash('sha1').update(GCODE).digest('hex'),
      prints: { success: 0, failure: 0 },
    });
  });

  it('takes PrusaSlicer/OrcaSlicer and Cura forms (fields before the file, "" path, octet-stream)', async () => {
    const prusa = await upload([
      { name: 'print', value: 'false' },
      { name: 'path', value: '' },
      filePart('prusa part.gcode'),
    ]);
    expect(prusa.status).toBe(201);
    const cura = await upload([
      { name: 'path', value: 'cura' },
      { name: 'select', value: 'true' },
      { name: 'print', value: 'true' },
      filePart('UM3_cube.gcode'),
    ]);
    expect(cura.status).toBe(201);
    // Cura splits the Location on "api/" and follows it.
    const location = String(cura.headers['location']);
    expect(location.split('api/')[1]).toBe('files/local/cura/UM3_cube.gcode');
    // No printer is connected: select/print are reported false, never an error.
    expect(cura.json()).toMatchObject({ effectiveSelect: false, effectivePrint: false, done: true });
    expect(existsSync(join(uploads(), 'cura', 'UM3_cube.gcode'))).toBe(true);
    expect(existsSync(join(uploads(), 'prusa part.gcode'))).toBe(true);
  });

  it('sanitises names as OctoPrint and keeps the uploaded name as display', async () => {
    const response = await upload([filePart('a?b:c.gcode')]);
    expect(response.status).toBe(201);
    expect(response.json()).toMatchObject({ files: { local: { name: 'abc.gcode', path: 'abc.gcode' } } });
    const entry = (await getJson('/api/files/local/abc.gcode')).body;
    expect(entry).toMatchObject({ name: 'abc.gcode', display: 'a?b:c.gcode' });
    const download = await fetch(`${base}/downloads/files/local/abc.gcode`, { headers: ADMIN });
    expect(download.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('a?b:c.gcode')}`,
    );
    expect(await download.text()).toBe(GCODE);
    expect((await upload([filePart('.hidden.gcode')])).json()).toMatchObject({
      files: { local: { name: 'hidden.gcode' } },
    });
    expect((await upload([filePart('con.gcode')])).json()).toMatchObject({ files: { local: { name: 'con_.gcode' } } });
    // A 300-byte name is cut to 255 bytes in the stem; the extension survives.
    const long = `${'x'.repeat(300)}.gcode`;
    const stored = (await upload([filePart(long)])).json<{ files: { local: { name: string } } }>().files.local.name;
    expect(Buffer.byteLength(stored)).toBe(255);
    expect(stored.endsWith('.gcode')).toBe(true);
  });

  it('accepts .gco/.g in any case and refuses other types with 415, storing nothing', async () => {
    expect((await upload([filePart('UPPER.GCO')])).status).toBe(201);
    expect((await upload([filePart('short.g')])).status).toBe(201);
    for (const name of ['model.stl', 'notes.txt', 'noextension', '...gcode']) {
      const response = await upload([filePart(name)]);
      expect(response.status, name).toBe(415);
      expect(response.json()).toEqual({ error: 'Could not upload file, invalid type' });
    }
    expect(readdirSync(uploads()).filter((name) => /stl|txt|noext/.test(name))).toEqual([]);
  });

  it('refuses traversal in filename, path, foldername and destination with 400; nothing leaves the folder', async () => {
    const cases: FormPart[][] = [
      [filePart('../../escape.gcode')],
      [filePart('..\\..\\escape.gcode')],
      [filePart('/etc/escape.gcode')],
      [filePart('nul\u0000.gcode')],
      [{ name: 'path', value: '../..' }, filePart('escape.gcode')],
      [{ name: 'path', value: '/abs' }, filePart('escape.gcode')],
      [{ name: 'path', value: 'a\\..\\..' }, filePart('escape.gcode')],
      [{ name: 'foldername', value: '../x' }],
      [
        { name: 'foldername', value: 'ok' },
        { name: 'path', value: '../../' },
      ],
      [
        {
          name: 'file',
          value: GCODE,
          disposition: `form-data; name="file"; filename*=UTF-8''..%2F..%2Fescape.gcode`,
        },
      ],
    ];
    for (const parts of cases) {
      const response = await upload(parts);
      expect(response.status, JSON.stringify(parts.map((part) => part.filename ?? part.value))).toBe(400);
      expect(response.json()).toEqual({ error: 'Invalid path' });
    }
    expect(existsSync(join(server.basedir, 'escape.gcode'))).toBe(false);
    expect(existsSync('/etc/escape.gcode')).toBe(false);
    // OctoPrint's temp-file keys are never honoured: the server must not read /etc/passwd as the upload.
    const internal = await upload([
      { name: 'file.path', value: '/etc/passwd' },
      { name: 'file.name', value: 'passwd.gcode' },
    ]);
    expect(internal.status).toBe(400);
    expect(existsSync(join(uploads(), 'passwd.gcode'))).toBe(false);
    // URL paths are validated, never rewritten.
    expect((await fetch(`${base}/api/files/local/..%2F..%2Fconfig.yaml`, { headers: ADMIN })).status).toBe(404);
    expect((await fetch(`${base}/api/files/local/a%3Fb.gcode`, { headers: ADMIN })).status).toBe(404);
    expect((await fetch(`${base}/downloads/files/local/..%2Fconfig.yaml`, { headers: ADMIN })).status).toBe(404);
    const move = await command('/api/files/local/bracket.gcode', { command: 'copy', destination: '../x.gcode' });
    expect(move.status).toBe(400);
  });

  it('answers a missing file part, two file parts, a zero-byte file and bad userdata clearly', async () => {
    const none = await upload([{ name: 'path', value: '' }]);
    expect(none.status).toBe(400);
    expect(none.json()).toEqual({ error: 'No file to upload and no folder to create' });
    const two = await upload([filePart('one.gcode'), filePart('two.gcode')]);
    expect(two.status).toBe(400);
    expect(two.json<{ error: string }>().error).toMatch(/more than one file/i);
    expect(existsSync(join(uploads(), 'one.gcode'))).toBe(false);
    const empty = await upload([filePart('empty.gcode', '')]);
    expect(empty.status).toBe(201);
    expect((await getJson('/api/files/local/empty.gcode')).body).toMatchObject({ size: 0 });
    const badUserdata = await upload([{ name: 'userdata', value: '{nope' }, filePart('u.gcode')]);
    expect(badUserdata.status).toBe(400);
    expect(badUserdata.json()).toEqual({ error: 'userdata contains invalid JSON' });
    const goodUserdata = await upload([{ name: 'userdata', value: '{"slicer":"mine"}' }, filePart('u.gcode')]);
    expect(goodUserdata.status).toBe(201);
    expect((await getJson('/api/files/local/u.gcode')).body).toMatchObject({ userdata: { slicer: 'mine' } });
    const notMultipart = await fetch(`${base}/api/files/local`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'text/plain' },
      body: 'G28',
    });
    expect(notMultipart.status).toBe(400);
    expect(await notMultipart.json()).toEqual({ error: 'Expected a multipart/form-data body with a boundary' });
    expect((await upload([filePart('x.gcode')], ADMIN, 'elsewhere')).status).toBe(404);
    // Temp files never linger.
    expect(readdirSync(uploads()).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('guards overwriting: noOverwrite 409, no FILES_DELETE 403; identical content keeps metadata', async () => {
    expect((await upload([filePart('keep.gcode')])).status).toBe(201);
    const noOverwrite = await upload([{ name: 'noOverwrite', value: 'true' }, filePart('keep.gcode')]);
    expect(noOverwrite.status).toBe(409);
    const lacking = await upload([filePart('keep.gcode')], { 'x-api-key': TEST_KEYS.FILES_UPLOAD });
    expect(lacking.status).toBe(403);
    expect(lacking.json()).toEqual({ error: 'File already exists, cannot overwrite due to a lack of permissions' });
    expect((await upload([filePart('fresh.gcode')], { 'x-api-key': TEST_KEYS.FILES_UPLOAD })).status).toBe(201);
    expect((await upload([{ name: 'userdata', value: '{"a":1}' }, filePart('keep.gcode')])).status).toBe(201);
    expect((await upload([filePart('keep.gcode')])).status).toBe(201);
    expect((await getJson('/api/files/local/keep.gcode')).body).toMatchObject({ userdata: { a: 1 } });
    expect((await upload([filePart('keep.gcode', 'G28\n')])).status).toBe(201);
    expect((await getJson('/api/files/local/keep.gcode')).body['userdata']).toBeUndefined();
  });

  it('creates folders (idempotent), lists them with size/children/prints, and refuses bad ones', async () => {
    const created = await upload([{ name: 'foldername', value: 'parts' }]);
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe(`${base}/api/files/local/parts`);
    expect(created.json()).toMatchObject({ folder: { name: 'parts', path: 'parts', origin: 'local' }, done: true });
    expect((await upload([{ name: 'foldername', value: 'parts' }])).status).toBe(201);
    expect((await upload([{ name: 'foldername', value: 'x.gcode' }])).status).toBe(409);
    expect((await upload([{ name: 'foldername', value: 'x' }], ADMIN, 'sdcard')).status).toBe(400);
    expect((await upload([{ name: 'foldername', value: 'missing/child' }])).status).toBe(404);
    expect((await upload([{ name: 'path', value: 'parts/sub' }, filePart('deep.gcode')])).status).toBe(201);
    const list = await getJson<{ files: Record<string, unknown>[]; free: number; total: number }>('/api/files');
    expect(Number.isInteger(list.body.free) && Number.isInteger(list.body.total)).toBe(true);
    const parts = list.body.files.find((entry) => entry['name'] === 'parts');
    expect(parts).toMatchObject({
      type: 'folder',
      typePath: ['folder'],
      size: GCODE.length,
      prints: { success: 0, failure: 0 },
    });
    // Non-recursive listings show every folder with empty children; GET on a folder fills one level.
    expect(parts?.['children']).toEqual([]);
    const folder = await getJson<{ children: Record<string, unknown>[] }>('/api/files/local/parts');
    expect(folder.body.children).toHaveLength(1);
    expect(folder.body.children[0]).toMatchObject({ name: 'sub', size: GCODE.length, children: [] });
    const recursive = await getJson<{ files: Record<string, unknown>[] }>('/api/files?recursive=true');
    const sub = (
      recursive.body.files.find((entry) => entry['name'] === 'parts')?.['children'] as Record<string, unknown>[]
    )[0];
    expect((sub?.['children'] as Record<string, unknown>[])[0]).toMatchObject({ path: 'parts/sub/deep.gcode' });
    // Folders come first; hidden and unknown files are never listed.
    writeFileSync(join(uploads(), '.secret.gcode'), 'G28\n');
    writeFileSync(join(uploads(), 'readme.txt'), 'hi');
    const names = (await getJson<{ files: { name: string; type: string }[] }>('/api/files/local')).body.files;
    expect(names[0]?.type).toBe('folder');
    expect(names.map((entry) => entry.name)).not.toContain('.secret.gcode');
    expect(names.map((entry) => entry.name)).not.toContain('readme.txt');
    expect((await fetch(`${base}/downloads/files/local/readme.txt`, { headers: ADMIN })).status).toBe(404);
  });

  it('revalidates listings with ETag (304) unless force is given; filters by type', async () => {
    const first = await fetch(`${base}/api/files`, { headers: ADMIN });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await fetch(`${base}/api/files`, { headers: { ...ADMIN, 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/api/files?force=true`, { headers: { ...ADMIN, 'if-none-match': etag } })).status).toBe(
      200,
    );
    const filtered = await getJson<{ files: { type: string }[] }>('/api/files?filter=gcode');
    expect(filtered.status).toBe(200);
    expect(
      (await getJson<{ files: unknown[] }>('/api/files?filter=stl')).body.files.every(
        (entry) => (entry as { type: string }).type === 'folder',
      ),
    ).toBe(true);
    expect((await getJson('/api/files/sdcard')).body).toEqual({ files: [] });
    expect((await fetch(`${base}/api/files/nowhere`, { headers: ADMIN })).status).toBe(404);
  });

  it('copies, moves, deletes; downloads with ranges', async () => {
    const copy = await command('/api/files/local/bracket.gcode', { command: 'copy', destination: 'parts' });
    expect(copy.status).toBe(201);
    expect(JSON.parse(copy.text)).toMatchObject({
      path: 'parts/bracket.gcode',
      refs: { download: `${base}/downloads/files/local/parts/bracket.gcode` },
    });
    expect((await command('/api/files/local/bracket.gcode', { command: 'copy', destination: 'parts' })).status).toBe(
      409,
    );
    expect((await command('/api/files/local/bracket.gcode', { command: 'copy', destination: 'bracket' })).status).toBe(
      415,
    );
    expect(
      (await command('/api/files/local/bracket.gcode', { command: 'copy', destination: 'nope/x.gcode' })).status,
    ).toBe(404);
    expect((await command('/api/files/local/bracket.gcode', { command: 'copy' })).status).toBe(400);
    expect((await command('/api/files/local/bracket.gcode', { command: 'fly' })).status).toBe(400);
    expect((await command('/api/files/local/missing.gcode', { command: 'copy', destination: 'z.gcode' })).status).toBe(
      404,
    );
    const noDelete = await command(
      '/api/files/local/parts/bracket.gcode',
      { command: 'move', destination: 'moved.gcode' },
      { 'x-api-key': TEST_KEYS.FILES_UPLOAD },
    );
    expect(noDelete.status).toBe(403);
    const move = await command('/api/files/local/parts/bracket.gcode', { command: 'move', destination: 'moved.gcode' });
    expect(move.status).toBe(201);
    expect(JSON.parse(move.text)).toMatchObject({ path: 'moved.gcode' });
    expect((await command('/api/files/local/parts', { command: 'move', destination: 'parts/sub' })).status).toBe(400);
    const range = await fetch(`${base}/downloads/files/local/moved.gcode`, {
      headers: { ...ADMIN, range: 'bytes=0-3' },
    });
    expect(range.status).toBe(206);
    expect(await range.text()).toBe('G28 ');
    expect((await fetch(`${base}/downloads/files/local/moved.gcode?apikey=${TEST_KEYS.FILES_DOWNLOAD}`)).status).toBe(
      200,
    );
    expect((await fetch(`${base}/api/files/local/moved.gcode`, { method: 'DELETE', headers: ADMIN })).status).toBe(204);
    expect(existsSync(join(uploads(), 'moved.gcode'))).toBe(false);
    expect((await fetch(`${base}/api/files/local/parts`, { method: 'DELETE', headers: ADMIN })).status).toBe(204);
    expect(existsSync(join(uploads(), 'parts'))).toBe(false);
    expect((await fetch(`${base}/api/files/local/parts`, { method: 'DELETE', headers: ADMIN })).status).toBe(404);
    expect((await fetch(`${base}/api/files/elsewhere/x.gcode`, { method: 'DELETE', headers: ADMIN })).status).toBe(404);
  });

  it('select needs an operational printer; unselect without a selection is a JSON 409; slice has no slicer', async () => {
    const select = await command('/api/files/local/bracket.gcode', { command: 'select' });
    expect(select.status).toBe(409);
    expect(JSON.parse(select.text)).toEqual({ error: 'Printer is already printing, cannot select a new file' });
    expect((await command('/api/files/local/missing.gcode', { command: 'select' })).status).toBe(404);
    const unselect = await command('/api/files/local/current', { command: 'unselect' });
    expect(unselect.status).toBe(409);
    expect(unselect.headers.get('content-type')).toContain('application/json');
    const slice = await command('/api/files/local/bracket.gcode', { command: 'slice' });
    expect(slice.status).toBe(415);
    expect(JSON.parse(slice.text)).toEqual({ error: 'Cannot slice file, no slicer available' });
    expect((await command('/api/files/local/bracket.gcode', { command: 'slice', slicer: 'cura' })).status).toBe(404);
    expect((await command('/api/files/local/missing.gcode', { command: 'slice' })).status).toBe(404);
    expect((await command('/api/files/local/bracket.gcode', { command: 'analyse' })).status).toBe(204);
  });

  it('answers /api/files/test: sanitize and exists with a free suggestion', async () => {
    const sanitized = await command('/api/files/test', {
      command: 'sanitize',
      storage: 'local',
      path: 'a b',
      filename: 'x?.gcode',
    });
    expect(JSON.parse(sanitized.text)).toEqual({ sanitized: 'a b/x.gcode' });
    const exists = await command('/api/files/test', {
      command: 'exists',
      storage: 'local',
      path: '',
      filename: 'bracket.gcode',
    });
    expect(JSON.parse(exists.text)).toMatchObject({ exists: true, suggestion: 'bracket_1.gcode', size: GCODE.length });
    expect((await command('/api/files/test', { command: 'exists', storage: 'local', path: '' })).status).toBe(400);
    expect(
      (await command('/api/files/test', { command: 'exists', storage: 'sdcard', path: '', filename: 'a' })).status,
    ).toBe(400);
  });

  it('answers malformed multipart bodies, over-long paths and repeated query parameters without a 5xx', async () => {
    const raw = (body: string) =>
      fetch(`${base}/api/files/local`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'multipart/form-data; boundary=XX' },
        body,
      });
    for (const body of [
      'garbage',
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="cut.gcode"\r\n\r\nG28',
    ]) {
      const response = await raw(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/^Malformed multipart body/);
    }
    const deep = await upload([{ name: 'path', value: 'a/'.repeat(3000) }, filePart('deep.gcode')]);
    expect(deep.status).toBe(400);
    expect(deep.json()).toEqual({ error: 'Invalid path: the name or path is too long' });
    expect((await fetch(`${base}/api/files?recursive=true&recursive=false`, { headers: ADMIN })).status).toBe(200);
    expect((await fetch(`${base}/api/files/local?filter=gcode&filter=x`, { headers: ADMIN })).status).toBe(200);
    expect(readdirSync(uploads()).filter((name) => name.startsWith('.upload-') || name === 'a')).toEqual([]);
  });

  it('leaves nothing behind when the client drops a large upload mid-body', async () => {
    await abortedUpload(`${base}/api/files/local`, ADMIN, 2 * 1024 * 1024 * 1024, 8 * 1024 * 1024);
    await vi.waitFor(() => expect(readdirSync(uploads()).filter((name) => name.startsWith('.upload-'))).toEqual([]), {
      timeout: 10_000,
    });
    expect(existsSync(join(uploads(), 'aborted.gcode'))).toBe(false);
    // The server is still fine.
    expect((await upload([filePart('after.gcode')])).status).toBe(201);
  });

  it('refuses each endpoint without its permission', async () => {
    await expectAuthMatrix(base, { method: 'GET', path: '/api/files', permission: Permission.FILES_LIST });
    await expectAuthMatrix(base, { method: 'GET', path: '/api/files/local', permission: Permission.FILES_LIST });
    await expectAuthMatrix(base, {
      method: 'GET',
      path: '/api/files/local/bracket.gcode',
      permission: Permission.FILES_LIST,
    });
    await expectAuthMatrix(base, {
      method: 'POST',
      path: '/api/files/test',
      permission: Permission.FILES_LIST,
      body: { command: 'sanitize', storage: 'local', path: '', filename: 'a.gcode' },
    });
    await expectAuthMatrix(base, {
      method: 'DELETE',
      path: '/api/files/local/nothing.gcode',
      permission: Permission.FILES_DELETE,
    });
    await expectAuthMatrix(base, {
      method: 'GET',
      path: '/downloads/files/local/bracket.gcode',
      permission: Permission.FILES_DOWNLOAD,
    });
    await expectAuthMatrix(base, {
      method: 'POST',
      path: '/api/files/local/bracket.gcode',
      permission: Permission.FILES_UPLOAD,
      body: { command: 'analyse' },
    });
    const refused: Record<string, string>[] = [
      {},
      { 'x-api-key': TEST_KEYS.STATUS },
      { 'x-api-key': TEST_KEYS.FILES_LIST },
    ];
    for (const headers of refused) {
      expect((await upload([filePart('denied.gcode')], headers)).status).toBe(403);
    }
    expect(
      (await command('/api/files/local/bracket.gcode', { command: 'analyse' }, { 'x-api-key': TEST_KEYS.FILES_SELECT }))
        .status,
    ).toBe(403);
    expect(
      (await command('/api/files/local/bracket.gcode', { command: 'select' }, { 'x-api-key': TEST_KEYS.FILES_UPLOAD }))
        .status,
    ).toBe(403);
    expect(existsSync(join(uploads(), 'denied.gcode'))).toBe(false);
  });
});

describe('Files API on a full disk', () => {
  const canMount = (() => {
    try {
      execFileSync('mount', ['--version'], { stdio: 'ignore' });
      return process.getuid?.() === 0;
    } catch {
      return false;
    }
  })();

  it.skipIf(!canMount)('answers 507 with the reason and lists nothing partial when the disk fills up', async () => {
    let mounted = '';
    let server: TestServer | undefined;
    try {
      server = await startTestServer({
        prepare: (basedir) => {
          mounted = join(basedir, 'uploads');
          mkdirSync(mounted);
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mounted]);
        },
      });
      const big = Buffer.alloc(1024 * 1024, 'G1 X1\n');
      const response = await postForm(`${server.url}/api/files/local`, buildForm([filePart('big.gcode', big)]), ADMIN);
      expect(response.status).toBe(507);
      expect(response.json<{ error: string }>().error).toMatch(/no space left/i);
      expect(readdirSync(mounted)).toEqual([]);
      const small = await postForm(`${server.url}/api/files/local`, buildForm([filePart('small.gcode')]), ADMIN);
      expect(small.status).toBe(201);
    } finally {
      await server?.close().catch(() => undefined);
      if (mounted !== '') {
        execFileSync('umount', ['-l', mounted]);
        rmSync(join(mounted, '..'), { recursive: true, force: true });
      }
    }
  });
});
