import { startPtySimulator, type PtySimulator } from '@hotend/firmware-sim';
import { HotendApiError, type HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

/**
 * The printer API end to end: the real server connects to the Marlin simulator over a real pseudo-terminal through
 * `@serialport/bindings-cpp`, the SDK calls every endpoint, and the simulator's executed-command log (the oracle) shows
 * the exact G-code each call produced.
 */

/**
 * Lines the comm layer sends on its own (temperature, SD and position polling, the file listing it fetches after the
 * card comes up); never produced by these endpoints.
 */
const BACKGROUND = /^(M105|M27|M155|M114|M113)\b|^M20 L T$/;

interface Rig {
  pty: PtySimulator;
  server: TestServer;
  client: HotendClient;
  /** Runs `action` and waits until exactly `expected` was executed by the firmware after it (background lines aside). */
  expectGcode(action: () => Promise<unknown>, expected: string[]): Promise<void>;
  close(): Promise<void>;
}

async function startRig(
  options: { profile?: Record<string, unknown>; sim?: Parameters<typeof startPtySimulator>[0] } = {},
): Promise<Rig> {
  // A pty has no DTR: the simulator must not wait for a reset banner exchange (as the harness does it).
  const pty = await startPtySimulator({ resetOnOpen: false, moveTimeFactor: 0.01, ...options.sim });
  const server = await startTestServer({
    config: {
      printerProfile: options.profile ?? {},
      serial: { port: pty.path, baudrate: 115200, autoconnect: true, log: false },
    },
  });
  const client = server.client();
  // Operational, and the first temperature report is in (auto-reported every 2 s after M155).
  await vi.waitFor(
    async () => {
      const response = await fetch(`${server.url}/api/printer`, { headers: { 'x-api-key': TEST_KEYS.ADMIN } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { temperature: Record<string, unknown> }).temperature.tool0).toBeDefined();
    },
    { timeout: 20_000, interval: 100 },
  );
  const executedSince = (mark: number): string[] =>
    pty.sim.executed
      .slice(mark)
      .filter((entry) => entry.source === 'serial')
      .map((entry) => entry.command)
      .filter((command) => !BACKGROUND.test(command));
  return {
    pty,
    server,
    client,
    async expectGcode(action, expected) {
      const mark = pty.sim.executed.length;
      await action();
      await vi.waitFor(() => expect(executedSince(mark)).toEqual(expected), { timeout: 10_000, interval: 20 });
    },
    async close() {
      await server.close();
      await pty.close();
    },
  };
}

/** The error an SDK call rejected with (fails the test when it resolved). */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HotendApiError)) throw new Error(`expected a HotendApiError, got ${String(error)}`);
  return { status: error.status, body: error.body };
}

async function rawPost(server: TestServer, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('printer API on the simulator over a pty', () => {
  let rig: Rig;
  let client: HotendClient;

  beforeAll(async () => {
    rig = await startRig({ sim: { sdFiles: { 'cube.gco': 'G1 X1\nG1 X2\n' } } });
    client = rig.client;
  }, 40_000);
  afterAll(async () => {
    await rig.close();
  });

  describe('state', () => {
    it('reports temperatures, SD and state', async () => {
      const state = await client.printer.getFullState();
      expect(Object.keys(state).sort()).toEqual(['sd', 'state', 'temperature']);
      expect(state.state).toEqual({
        text: 'Operational',
        error: '',
        flags: {
          operational: true,
          printing: false,
          cancelling: false,
          pausing: false,
          resuming: false,
          finishing: false,
          closedOrError: false,
          error: false,
          paused: false,
          ready: true,
          sdReady: state.sd?.ready,
        },
      });
      expect(Object.keys(state.temperature ?? {}).sort()).toEqual(['bed', 'tool0']);
      expect(state.temperature?.tool0).toEqual({ actual: expect.any(Number), target: 0, offset: 0 });
      expect(state.temperature?.bed).toEqual({ actual: expect.any(Number), target: 0, offset: 0 });
    });

    it('leaves out excluded parts and accepts OctoPrint client query strings with a trailing &', async () => {
      expect(Object.keys(await client.printer.getFullState({ exclude: ['temperature', 'sd'] }))).toEqual(['state']);
      const response = await fetch(`${rig.server.url}/api/printer?history=true&limit=1&exclude=sd,state&`, {
        headers: { 'x-api-key': TEST_KEYS.STATUS },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { temperature: { history: unknown[] } };
      expect(Object.keys(body)).toEqual(['temperature']);
      expect(body.temperature.history.length).toBeLessThanOrEqual(1);
    });

    it('returns the temperature history with time and per-heater readings, limited to the last entries', async () => {
      await vi.waitFor(
        async () =>
          expect(
            (await client.printer.getFullState({ history: true })).temperature?.history?.length,
          ).toBeGreaterThanOrEqual(2),
        { timeout: 15_000, interval: 200 },
      );
      const all = (await client.printer.getFullState({ history: true })).temperature?.history ?? [];
      const limited = (await client.printer.getToolState({ history: true, limit: 1 })).history ?? [];
      expect(limited).toHaveLength(1);
      const [entry] = limited;
      expect(Object.keys(entry ?? {}).sort()).toEqual(['time', 'tool0']);
      expect(entry?.time).toEqual(expect.any(Number));
      expect(Number.isInteger(entry?.time)).toBe(true);
      expect(entry?.tool0).toEqual({ actual: expect.any(Number), target: expect.any(Number) });
      expect(all.map((sample) => sample.time)).toEqual([...all.map((sample) => sample.time)].sort((a, b) => a - b));
      const bed = await client.printer.getBedState({ history: true, limit: 2 });
      expect(Object.keys(bed).sort()).toEqual(['bed', 'history']);
      expect(bed.history?.every((sample) => Object.keys(sample).sort().join() === 'bed,time')).toBe(true);
    });

    it('answers GET /api/printer/sd without a key', async () => {
      const response = await fetch(`${rig.server.url}/api/printer/sd`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ready: expect.any(Boolean) });
      expect(await rig.server.client(null).printer.getSdState()).toEqual({ ready: expect.any(Boolean) });
    });

    it('reports no error while there is none', async () => {
      expect(await client.printer.getErrorInfo()).toEqual({ error: '', reason: '' });
    });

    it('serves the (empty) custom controls to CONTROL', async () => {
      expect(await rig.server.client(TEST_KEYS.CONTROL).control.getCustomControls()).toEqual({ controls: [] });
    });

    it('409s the chamber the default profile lacks', async () => {
      expect(await failure(client.printer.getChamberState())).toEqual({
        status: 409,
        body: { error: 'Printer does not have a heated chamber' },
      });
      expect(await failure(client.printer.setChamberTargetTemperature(40))).toEqual({
        status: 409,
        body: { error: 'Printer does not have a heated chamber' },
      });
    });
  });

  describe('printhead', () => {
    it('homes the given axes', async () => {
      await rig.expectGcode(() => client.printer.home(['x', 'y']), ['G91', 'G28 X0 Y0', 'G90']);
    });

    it('jogs relatively: G91, G0 with the slowest axis speed, G90', async () => {
      await rig.expectGcode(
        () => client.printer.jog({ x: 10, y: -5, z: 0.02 }),
        ['G91', 'G0 X10 Y-5 Z0.02 F200', 'G90'],
      );
    });

    it('jogs absolutely with a speed, and sends an axis given as 0', async () => {
      await rig.expectGcode(
        () => client.printer.jog({ x: 0, y: 20, absolute: true, speed: 3000 }),
        ['G90', 'G0 X0 Y20 F3000'],
      );
    });

    it('sets the feed rate', async () => {
      await rig.expectGcode(() => client.printer.setFeedrate(105), ['M220 S105']);
      await rig.expectGcode(() => client.printer.setFeedrate(1.15), ['M220 S114']);
    });

    it.each([
      [{ command: 'spin' }, 'command: command is invalid, expected one of: jog, home, feedrate'],
      [{ command: 'jog' }, 'jog needs at least one of x, y, z'],
      [{ command: 'jog', x: 'far' }, 'x: x must be a number conforming to the specified constraints'],
      [{ command: 'home', axes: ['x', 'e'] }, 'axes: axis is invalid, expected x, y or z'],
      [{ command: 'home' }, 'axes: axis is invalid, expected x, y or z; axes must be a list of x, y, z'],
      [{ command: 'feedrate', factor: 0 }, 'factor is invalid: must be at least 1 %'],
      [{ command: 'feedrate', factor: 'fast' }, 'factor: factor is invalid'],
    ])('answers 400 to %j', async (body, message) => {
      expect(await rawPost(rig.server, '/api/printer/printhead', body)).toEqual({
        status: 400,
        text: JSON.stringify({ error: message }),
      });
    });
  });

  describe('tool', () => {
    it('sets the target with M104 and the state shows it', async () => {
      await rig.expectGcode(() => client.printer.setToolTargetTemperatures({ tool0: 42 }), ['M104 S42']);
      await vi.waitFor(async () => expect((await client.printer.getToolState()).tool0?.target).toBe(42), {
        timeout: 10_000,
      });
      await rig.expectGcode(() => client.printer.setToolTargetTemperatures({ tool0: 0 }), ['M104 S0']);
    });

    it('keeps offsets on the host: no G-code, shown in the state', async () => {
      await rig.expectGcode(() => client.printer.setToolTemperatureOffsets({ tool0: 5 }), []);
      expect((await client.printer.getToolState()).tool0?.offset).toBe(5);
      await client.printer.setToolTemperatureOffsets({ tool0: 0 });
    });

    it('selects a tool, extrudes and sets the flow rate', async () => {
      await rig.expectGcode(() => client.printer.selectTool('tool0'), ['T0']);
      await rig.expectGcode(() => client.printer.extrude(5), ['G91', 'M83', 'G1 E5 F300', 'M82', 'G90']);
      await rig.expectGcode(
        () => client.printer.extrude(-3, { speed: 100 }),
        ['G91', 'M83', 'G1 E-3 F100', 'M82', 'G90'],
      );
      await rig.expectGcode(() => client.printer.setFlowrate(95), ['M221 S95']);
    });

    it.each([
      [{ command: 'heat' }, 'command: command is invalid, expected one of: target, offset, select, extrude, flowrate'],
      [
        { command: 'target', targets: { tool3: 200 } },
        'targets contains invalid tool "tool3" (the printer has tool0 only)',
      ],
      [
        { command: 'target', targets: { tool0: 999 } },
        'target 999 is outside the supported range 0..300 °C for the tool',
      ],
      [
        { command: 'target', targets: { tool0: -5 } },
        'target -5 is outside the supported range 0..300 °C for the tool',
      ],
      [{ command: 'target' }, 'targets: targets must be an object such as {"tool0": 220}'],
      [{ command: 'offset', offsets: { tool0: 60 } }, 'offsets is invalid: 60 is outside -50..50'],
      [{ command: 'select', tool: 'tool1' }, 'tool is invalid (the printer has tool0 only)'],
      [{ command: 'extrude' }, 'amount: amount is invalid'],
      [{ command: 'flowrate', factor: -2 }, 'factor is invalid: must be at least 1 %'],
    ])('answers 400 to %j and sends nothing', async (body, message) => {
      const mark = rig.pty.sim.executed.length;
      expect(await rawPost(rig.server, '/api/printer/tool', body)).toEqual({
        status: 400,
        text: JSON.stringify({ error: message }),
      });
      expect(rig.pty.sim.executed.slice(mark).filter((entry) => !BACKGROUND.test(entry.command))).toEqual([]);
    });
  });

  describe('bed', () => {
    it('sets the target with M140 and keeps the offset on the host', async () => {
      await rig.expectGcode(() => client.printer.setBedTargetTemperature(75), ['M140 S75']);
      await vi.waitFor(async () => expect((await client.printer.getBedState()).bed?.target).toBe(75), {
        timeout: 10_000,
      });
      await rig.expectGcode(() => client.printer.setBedTemperatureOffset(-5), []);
      expect((await client.printer.getBedState()).bed?.offset).toBe(-5);
      await rig.expectGcode(() => client.printer.setBedTargetTemperature(0), ['M140 S0']);
    });

    it.each([
      [{ command: 'target', target: -1 }, 'target -1 is outside the supported range 0..140 °C for the bed'],
      [{ command: 'target', target: 'hot' }, 'target: target is invalid'],
      [{ command: 'offset', offset: 51 }, 'offset is invalid: 51 is outside -50..50'],
      [{ command: 'melt' }, 'command: command is invalid, expected one of: target, offset'],
    ])('answers 400 to %j', async (body, message) => {
      expect(await rawPost(rig.server, '/api/printer/bed', body)).toEqual({
        status: 400,
        text: JSON.stringify({ error: message }),
      });
    });
  });

  describe('SD card', () => {
    it('releases, refuses refresh/release on the released card, initialises and refreshes', async () => {
      if (!(await client.printer.getSdState()).ready) {
        await rig.expectGcode(() => client.printer.initSd(), ['M21']);
        await vi.waitFor(async () => expect((await client.printer.getSdState()).ready).toBe(true), { timeout: 10_000 });
      }
      await rig.expectGcode(() => client.printer.releaseSd(), ['M22']);
      await vi.waitFor(async () => expect((await client.printer.getSdState()).ready).toBe(false), { timeout: 10_000 });
      for (const call of [client.printer.refreshSd(), client.printer.releaseSd()]) {
        expect(await failure(call)).toEqual({ status: 409, body: { error: 'SD card has not been initialized' } });
      }
      await rig.expectGcode(() => client.printer.initSd(), ['M21']);
      await vi.waitFor(async () => expect((await client.printer.getSdState()).ready).toBe(true), { timeout: 10_000 });
      await rig.expectGcode(() => client.printer.refreshSd(), ['M20']);
      expect((await client.printer.getFullState()).sd).toEqual({ ready: true });
    });

    it('answers 400 to an unknown SD command', async () => {
      expect(await rawPost(rig.server, '/api/printer/sd', { command: 'format' })).toEqual({
        status: 400,
        text: JSON.stringify({ error: 'command: command is invalid, expected one of: init, refresh, release' }),
      });
    });
  });

  describe('raw G-code', () => {
    it('sends one command, a list, and a list with placeholders', async () => {
      await rig.expectGcode(() => client.control.sendGcode('M220 S100'), ['M220 S100']);
      await rig.expectGcode(() => client.control.sendGcode(['G92 E0', 'M221 S100']), ['G92 E0', 'M221 S100']);
      await rig.expectGcode(
        () => client.control.sendGcodeWithParameters(['G92 E%(e)s', 'G4 P%(ms)d'], { e: 1.5, ms: 1 }),
        ['G92 E1.5', 'G4 P1'],
      );
      await rig.expectGcode(() => client.control.sendGcode([]), []);
    });

    it.each([
      [{ command: 'M400', commands: ['M400'] }, "'command' and 'commands' are mutually exclusive"],
      [{}, "Need one of 'command' or 'commands'"],
      [{ commands: 'M400' }, 'commands: commands is invalid'],
      [{ command: 'M104 S0\nM112' }, 'commands[0] contains a line break'],
      [{ commands: ['M117 %(nope)s'], parameters: { a: 1 } }, 'commands[0]: no parameter named "nope" for %(nope)s'],
    ])('answers 400 to %j and sends nothing', async (body, message) => {
      const mark = rig.pty.sim.executed.length;
      expect(await rawPost(rig.server, '/api/printer/command', body)).toEqual({
        status: 400,
        text: JSON.stringify({ error: message }),
      });
      expect(rig.pty.sim.executed.slice(mark).filter((entry) => !BACKGROUND.test(entry.command))).toEqual([]);
    });
  });

  describe('auth', () => {
    it.each([
      ['GET', '/api/printer', Permission.STATUS, undefined],
      ['GET', '/api/printer/tool', Permission.STATUS, undefined],
      ['GET', '/api/printer/bed', Permission.STATUS, undefined],
      ['GET', '/api/printer/chamber', Permission.STATUS, undefined],
      ['GET', '/api/printer/error', Permission.STATUS, undefined],
      ['GET', '/api/printer/command/custom', Permission.CONTROL, undefined],
      ['POST', '/api/printer/printhead', Permission.CONTROL, { command: 'feedrate', factor: 100 }],
      ['POST', '/api/printer/tool', Permission.CONTROL, { command: 'flowrate', factor: 100 }],
      ['POST', '/api/printer/bed', Permission.CONTROL, { command: 'offset', offset: 0 }],
      ['POST', '/api/printer/chamber', Permission.CONTROL, { command: 'offset', offset: 0 }],
      ['POST', '/api/printer/sd', Permission.CONTROL, { command: 'format' }],
      ['POST', '/api/printer/command', Permission.CONTROL, { commands: [] }],
    ] as const)('guards %s %s with %s', async (method, path, permission, body) => {
      await expectAuthMatrix(rig.server.url, { method, path, permission, body });
    });
  });
});

describe('printer API while printing from SD', () => {
  let rig: Rig;

  beforeAll(async () => {
    const job = Array.from({ length: 6000 }, (_, index) => `G1 X${index % 2} F6000`).join('\n');
    rig = await startRig({ sim: { sdFiles: { 'long.gco': job }, moveTimeFactor: 1 } });
    await rig.client.control.sendGcode(['M21']);
    await vi.waitFor(async () => expect((await rig.client.printer.getSdState()).ready).toBe(true), { timeout: 10_000 });
    await rig.client.control.sendGcode(['M23 long.gco', 'M24']);
    await vi.waitFor(async () => expect((await rig.client.printer.getFullState()).state?.flags.printing).toBe(true), {
      timeout: 20_000,
      interval: 100,
    });
  }, 60_000);
  afterAll(async () => {
    await rig.close();
  });

  it('refuses jog, home, select, extrude and SD commands with 409', async () => {
    const { printer } = rig.client;
    const busy = { error: 'Printer is not operational or currently printing' };
    expect(await failure(printer.jog({ x: 1 }))).toEqual({ status: 409, body: busy });
    expect(await failure(printer.home())).toEqual({ status: 409, body: busy });
    const printing = { error: 'Printer is currently printing' };
    expect(await failure(printer.selectTool('tool0'))).toEqual({ status: 409, body: printing });
    expect(await failure(printer.extrude(1))).toEqual({ status: 409, body: printing });
    expect(await failure(printer.refreshSd())).toEqual({
      status: 409,
      body: { error: 'Printer is not operational or currently busy' },
    });
  });

  it('still accepts the feed rate, flow rate and targets while printing', async () => {
    await rig.expectGcode(() => rig.client.printer.setFeedrate(110), ['M220 S110']);
    await rig.expectGcode(() => rig.client.printer.setToolTargetTemperatures({ tool0: 0 }), ['M104 S0']);
  });
});

describe('printer API with a heated chamber and two extruders', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({
      profile: { heatedChamber: true, extruder: { count: 2 } },
      sim: { heatedChamber: true, extruders: 2 },
    });
  }, 40_000);
  afterAll(async () => {
    await rig.close();
  });

  it('addresses each tool with T and sets the chamber with M141', async () => {
    const { printer } = rig.client;
    await rig.expectGcode(
      () => printer.setToolTargetTemperatures({ tool0: 30, tool1: 35 }),
      ['M104 T0 S30', 'M104 T1 S35'],
    );
    await rig.expectGcode(() => printer.selectTool('tool1'), ['T1']);
    await rig.expectGcode(() => printer.setChamberTargetTemperature(40), ['M141 S40']);
    await vi.waitFor(async () => expect((await printer.getChamberState()).chamber?.target).toBe(40), {
      timeout: 10_000,
    });
    await rig.expectGcode(() => printer.setChamberTemperatureOffset(3), []);
    expect((await printer.getChamberState()).chamber?.offset).toBe(3);
    expect(Object.keys((await printer.getFullState()).temperature ?? {}).sort()).toEqual([
      'bed',
      'chamber',
      'tool0',
      'tool1',
    ]);
    expect(await failure(printer.setChamberTargetTemperature(81))).toEqual({
      status: 400,
      body: { error: 'target 81 is outside the supported range 0..80 °C for the chamber' },
    });
  });
});

describe('printer API without a connected printer', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { serial: { autoconnect: false } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(['/api/printer', '/api/printer/tool', '/api/printer/bed', '/api/printer/chamber'])(
    'answers GET %s with 409',
    async (path) => {
      const response = await fetch(`${server.url}${path}?exclude=temperature,sd,state`, {
        headers: { 'x-api-key': TEST_KEYS.STATUS },
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: 'Printer is not operational' });
    },
  );

  it('checks tool, bed, chamber and command POSTs for an operational printer before the body (409, not 400)', async () => {
    for (const path of ['/api/printer/tool', '/api/printer/bed', '/api/printer/chamber', '/api/printer/command']) {
      expect(await rawPost(server, path, { command: 'nonsense' }), path).toEqual({
        status: 409,
        text: JSON.stringify({ error: 'Printer is not operational' }),
      });
    }
  });

  it('parses printhead bodies first (400), then answers 409', async () => {
    expect((await rawPost(server, '/api/printer/printhead', { command: 'nonsense' })).status).toBe(400);
    expect(await failure(server.client().printer.jog({ x: 1 }))).toEqual({
      status: 409,
      body: { error: 'Printer is not operational or currently printing' },
    });
    expect(await failure(server.client().printer.setFeedrate(100))).toEqual({
      status: 409,
      body: { error: 'Printer is not operational' },
    });
  });

  it('answers SD commands with 409 but still serves the SD state and the error info', async () => {
    expect(await failure(server.client().printer.initSd())).toEqual({
      status: 409,
      body: { error: 'Printer is not operational or currently busy' },
    });
    expect(await server.client(null).printer.getSdState()).toEqual({ ready: false });
    expect(await server.client(TEST_KEYS.STATUS).printer.getErrorInfo()).toEqual({ error: '', reason: '' });
  });
});

describe('printer API with SD support disabled', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { printerProfile: { sdSupport: false } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers the SD endpoints with 404', async () => {
    const disabled = { status: 404, body: { error: 'SD support is disabled' } };
    expect(await failure(server.client(null).printer.getSdState())).toEqual(disabled);
    expect(await failure(server.client().printer.initSd())).toEqual(disabled);
  });
});
