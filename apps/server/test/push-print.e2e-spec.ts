import type { HotendClient, PushEventName, SocketMessage } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { sleep } from './push-helpers.js';

interface Seen {
  readonly events: { name: PushEventName; payload: unknown }[];
  readonly currents: SocketMessage<'current'>['data'][];
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Print and file events and the job part of `current`, seen by the SDK's socket (the real sockjs-client) while the
 * server prints into firmware-sim over a real pseudo-terminal.
 */
describe('print and file events on the push socket (sockjs-client, firmware-sim on a pty)', () => {
  let server: TestServer;
  let watcher: HotendClient;
  const seen: Seen = { events: [], currents: [] };
  const names = (): PushEventName[] => seen.events.map((event) => event.name);
  const eventsAfter = (mark: number, wanted: readonly string[]): PushEventName[] =>
    names()
      .slice(mark)
      .filter((name) => wanted.includes(name));
  const payloadOf = (name: PushEventName, from = 0): unknown =>
    seen.events.slice(from).find((event) => event.name === name)?.payload;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty' });
    // A STATUS-only key: it sees every print and file event, and no terminal lines.
    watcher = server.client(TEST_KEYS.STATUS);
    watcher.socket.onEvent('*', (payload, name) => seen.events.push({ name, payload }));
    watcher.socket.onMessage('current', (message) => seen.currents.push(message.data));
    watcher.socket.connect({ transports: ['websocket'] });
    await until(() => seen.currents.length > 0 || names().length > 0, 'the socket to stream');
  }, 60_000);
  afterAll(async () => {
    watcher.socket.disconnect();
    await server.close();
  });

  it('an upload fires FolderAdded for the folder it creates, FileAdded, UpdatedFiles, Upload and the analysis events; a folder FolderAdded', async () => {
    const admin = server.client();
    const mark = seen.events.length;
    await admin.files.upload('local', new Blob(['G28\nG1 X10 Y10 E1 F3000\n']), {
      filename: 'parts/cube.gcode',
    });
    await until(() => names().slice(mark).includes('MetadataAnalysisFinished'), 'the analysis');
    // `parts/` did not exist: the upload creates it, and says so before the file.
    expect(eventsAfter(mark, ['FolderAdded', 'FileAdded', 'UpdatedFiles', 'Upload'])).toEqual([
      'FolderAdded',
      'FileAdded',
      'UpdatedFiles',
      'Upload',
    ]);
    expect(payloadOf('FolderAdded', mark)).toEqual({ storage: 'local', path: 'parts', name: 'parts' });
    expect(payloadOf('FileAdded', mark)).toEqual({
      storage: 'local',
      path: 'parts/cube.gcode',
      name: 'cube.gcode',
      type: ['machinecode', 'gcode'],
      operation: 'add',
    });
    expect(payloadOf('Upload', mark)).toEqual({
      name: 'cube.gcode',
      path: 'parts/cube.gcode',
      target: 'local',
      select: false,
      print: false,
      effective_select: false,
      effective_print: false,
    });
    expect(payloadOf('MetadataAnalysisStarted', mark)).toEqual({
      name: 'cube.gcode',
      path: 'parts/cube.gcode',
      origin: 'local',
      type: 'gcode',
    });
    expect(payloadOf('MetadataAnalysisFinished', mark)).toMatchObject({
      path: 'parts/cube.gcode',
      result: { filament: { tool0: { length: 1 } } },
    });

    const folderMark = seen.events.length;
    await admin.files.createFolder('local', 'archive');
    await until(() => names().slice(folderMark).includes('UpdatedFiles'), 'UpdatedFiles for the folder');
    expect(payloadOf('FolderAdded', folderMark)).toEqual({ storage: 'local', path: 'archive', name: 'archive' });

    const moveMark = seen.events.length;
    await admin.files.move('local', 'parts/cube.gcode', 'archive');
    await until(() => names().slice(moveMark).includes('UpdatedFiles'), 'UpdatedFiles for the move');
    expect(eventsAfter(moveMark, ['FileRemoved', 'FileAdded', 'FileMoved', 'UpdatedFiles'])).toEqual([
      'FileRemoved',
      'FileAdded',
      'FileMoved',
      'UpdatedFiles',
    ]);
    expect(payloadOf('FileMoved', moveMark)).toMatchObject({
      source_path: 'parts/cube.gcode',
      destination_path: 'archive/cube.gcode',
    });

    const removeMark = seen.events.length;
    await admin.files.delete('local', 'archive/cube.gcode');
    await until(() => names().slice(removeMark).includes('UpdatedFiles'), 'UpdatedFiles for the delete');
    expect(payloadOf('FileRemoved', removeMark)).toMatchObject({ path: 'archive/cube.gcode', operation: 'remove' });
  }, 60_000);

  it('a print: FileSelected, PrintStarted, progress moving in current with the job and busyFiles, then PrintDone', async () => {
    const admin = server.client();
    // About 4 s of dwells, so several `current` messages show the progress moving.
    const lines = Array.from({ length: 1600 }, (_, index) => (index % 2 === 0 ? 'G4 P5' : `M117 P${index}`));
    await admin.files.upload('local', new Blob([lines.join('\n')]), { filename: 'slow.gcode' });
    const mark = seen.events.length;
    const currentMark = seen.currents.length;
    await admin.files.select('local', 'slow.gcode');
    await until(() => names().slice(mark).includes('FileSelected'), 'FileSelected');
    expect(payloadOf('FileSelected', mark)).toEqual({ name: 'slow.gcode', path: 'slow.gcode', origin: 'local' });

    await admin.job.start();
    await until(() => names().slice(mark).includes('PrintDone'), 'PrintDone', 60_000);
    expect(eventsAfter(mark, ['PrintStarted', 'ChartMarked', 'PrintDone'])).toEqual([
      'PrintStarted',
      'ChartMarked',
      'ChartMarked',
      'PrintDone',
    ]);
    const size = (await admin.files.get('local', 'slow.gcode')).size;
    expect(payloadOf('PrintStarted', mark)).toEqual({
      name: 'slow.gcode',
      path: 'slow.gcode',
      origin: 'local',
      size,
      owner: 'admin',
      user: 'admin',
    });
    const done = payloadOf('PrintDone', mark) as { time: number; name: string };
    expect(done).toMatchObject({ name: 'slow.gcode', path: 'slow.gcode', origin: 'local', size });
    expect(done.time).toBeGreaterThan(0);

    // `current` carries GET /api/job's job and progress: the completion grows while printing, ends at 100.
    await until(() => seen.currents.slice(currentMark).some((current) => current.progress.completion === 100), '100 %');
    const printing = seen.currents.slice(currentMark).filter((current) => current.state.flags.printing);
    const completions = printing.map((current) => current.progress.completion ?? 0);
    expect(new Set(completions.filter((completion) => completion > 0 && completion < 100)).size).toBeGreaterThan(1);
    expect(completions).toEqual([...completions].sort((a, b) => a - b));
    expect(printing.at(-1)?.job.file).toMatchObject({ name: 'slow.gcode', path: 'slow.gcode', origin: 'local' });
    expect(printing.at(-1)?.job.user).toBe('admin');
    expect(printing.at(-1)?.busyFiles).toEqual([{ origin: 'local', path: 'slow.gcode' }]);
    const after = seen.currents.at(-1);
    expect(after?.busyFiles).toEqual([]);
    expect(after?.markings.map((marking) => marking.type)).toEqual(['print', 'done']);
    const rest = await admin.job.get();
    expect(after?.job).toEqual(rest.job);
    expect(after?.progress).toEqual(rest.progress);
  }, 90_000);

  it('an upload to the SD card: Upload (target sdcard), TransferStarted, TransferDone; no print events', async () => {
    const admin = server.client();
    await until(() => seen.currents.at(-1)?.state.text === 'Operational', 'Operational');
    const mark = seen.events.length;
    const lines = Array.from({ length: 100 }, (_, index) => `M117 T${index}`);
    await admin.files.upload('sdcard', new Blob([lines.join('\n')]), { filename: 'Card Part.gcode' });
    await until(() => names().slice(mark).includes('TransferDone'), 'TransferDone', 30_000);
    expect(
      eventsAfter(mark, ['TransferStarted', 'TransferDone', 'TransferFailed', 'PrintStarted', 'PrintDone']),
    ).toEqual(['TransferStarted', 'TransferDone']);
    // The card's 8.3 name, as the upload answered it.
    const remote = (payloadOf('Upload', mark) as { path: string }).path;
    expect(remote).toMatch(/^card.*~1\.gco$/);
    expect(payloadOf('Upload', mark)).toMatchObject({ name: 'Card Part.gcode', target: 'sdcard' });
    expect(payloadOf('TransferStarted', mark)).toEqual({ local: 'Card Part.gcode', remote });
    expect(payloadOf('TransferDone', mark)).toMatchObject({ local: 'Card Part.gcode', remote });
  }, 60_000);

  it('pause, resume and cancel: PrintPaused, PrintResumed, PrintCancelling, PrintCancelled, then PrintFailed', async () => {
    const admin = server.client();
    const mark = seen.events.length;
    await admin.job.start();
    await until(() => names().slice(mark).includes('PrintStarted'), 'PrintStarted');
    await sleep(300);
    await admin.job.pause();
    await until(() => names().slice(mark).includes('PrintPaused'), 'PrintPaused');
    await admin.job.resume();
    await until(() => names().slice(mark).includes('PrintResumed'), 'PrintResumed');
    await admin.job.cancel();
    await until(() => names().slice(mark).includes('PrintFailed'), 'PrintFailed');
    expect(
      eventsAfter(mark, [
        'PrintStarted',
        'PrintPaused',
        'PrintResumed',
        'PrintCancelling',
        'PrintCancelled',
        'PrintFailed',
        'PrintDone',
      ]),
    ).toEqual(['PrintStarted', 'PrintPaused', 'PrintResumed', 'PrintCancelling', 'PrintCancelled', 'PrintFailed']);
    const paused = payloadOf('PrintPaused', mark) as { progress: number; fileposition: number };
    expect(paused.fileposition).toBeGreaterThan(0);
    expect(paused.progress).toBeGreaterThanOrEqual(0);
    expect(payloadOf('PrintCancelled', mark)).not.toHaveProperty('reason');
    expect(payloadOf('PrintFailed', mark)).toMatchObject({ name: 'slow.gcode', reason: 'cancelled' });
  }, 60_000);
});
