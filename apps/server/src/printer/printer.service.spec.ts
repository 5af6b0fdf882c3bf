import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  CurrentConnection,
  HeaterReadings,
  PrinterCommApi,
  PrinterErrorInfo,
  PrinterFlags,
  PrinterStatus,
  SdStatus,
  TemperatureSample,
} from '../comm/printer-comm.types.js';
import { validateConfig } from '../config/config.loader.js';
import { HotendConfigService } from '../config/config.service.js';
import type { PrintheadCommandDto, ToolCommandDto } from './printer.dto.js';
import { PrinterService } from './printer.service.js';

const FLAGS_OPERATIONAL: PrinterFlags = {
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
  sdReady: false,
};

/** A hand-written stand-in for the comm layer: state the test sets, and a record of what was sent. */
class FakeComm implements PrinterCommApi {
  status: PrinterStatus = { id: 'OPERATIONAL', text: 'Operational', flags: { ...FLAGS_OPERATIONAL } };
  connection: CurrentConnection = { state: 'Operational', port: 'VIRTUAL', baudrate: 115200 };
  heaters: HeaterReadings = {
    tool0: { actual: 21.5, target: 0 },
    bed: { actual: 20, target: 60 },
  };
  temperatureHistory: TemperatureSample[] = [];
  sd: SdStatus = { ready: false, printing: false };
  lastError: PrinterErrorInfo | undefined;
  readonly sent: string[][] = [];

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  fakeAck(): void {}
  async listPorts(): Promise<string[]> {
    return ['VIRTUAL'];
  }
  async send(lines: string | readonly string[]): Promise<void> {
    this.sent.push(typeof lines === 'string' ? [lines] : [...lines]);
  }

  setState(id: PrinterStatus['id'], text: string, flags: Partial<PrinterFlags>): void {
    this.status = { id, text, flags: { ...FLAGS_OPERATIONAL, ...flags } };
  }
}

function serviceWith(comm: FakeComm, printerProfile: Record<string, unknown> = {}): PrinterService {
  const config = validateConfig({ printerProfile }, 'test');
  return new PrinterService(comm, new HotendConfigService({ basedir: '/nonexistent', file: '/nonexistent/c', config }));
}

function captured(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an exception');
}

function expectHttpError(action: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  const error = captured(action);
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toBe(message);
}

const printhead = (body: Partial<PrintheadCommandDto>) => ({ command: 'jog', ...body }) as PrintheadCommandDto;
const tool = (body: Partial<ToolCommandDto>) => body as ToolCommandDto;

describe(PrinterService.name, () => {
  let comm: FakeComm;
  let sut: PrinterService;

  beforeEach(() => {
    comm = new FakeComm();
    sut = serviceWith(comm);
  });

  describe('full state', () => {
    it('reports temperatures with offsets, SD and state', () => {
      expect(sut.getFullState({})).toEqual({
        temperature: {
          tool0: { actual: 21.5, target: 0, offset: 0 },
          bed: { actual: 20, target: 60, offset: 0 },
        },
        sd: { ready: false },
        state: { text: 'Operational', flags: FLAGS_OPERATIONAL, error: '' },
      });
    });

    it('is 409 when the printer is not operational, even with everything excluded', () => {
      comm.setState('OFFLINE', 'Offline', { operational: false, ready: false, closedOrError: true });
      expectHttpError(
        () => sut.getFullState({ exclude: 'temperature,sd,state' }),
        ConflictException,
        'Printer is not operational',
      );
    });

    it('leaves out excluded parts, ignoring blanks and unknown names', () => {
      expect(sut.getFullState({ exclude: ' temperature , sd,nonsense' })).toEqual({
        state: { text: 'Operational', flags: FLAGS_OPERATIONAL, error: '' },
      });
    });

    it('drops bed and chamber readings the profile does not have, and sd when SD support is off', () => {
      comm.heaters = { ...comm.heaters, chamber: { actual: 30, target: 0 }, tool1: { actual: 22, target: null } };
      sut = serviceWith(comm, { heatedBed: false, sdSupport: false });
      expect(sut.getFullState({ exclude: 'state' })).toEqual({
        temperature: { tool0: { actual: 21.5, target: 0, offset: 0 }, tool1: { actual: 22, target: null, offset: 0 } },
      });
    });

    describe('history', () => {
      beforeEach(() => {
        comm.temperatureHistory = [100, 102, 104].map((time, index) => ({
          time,
          heaters: { tool0: { actual: 20 + index, target: 200 }, bed: { actual: 30 + index, target: null } },
        }));
      });

      it('is left out unless asked for', () => {
        expect(sut.getFullState({ limit: '2' }).temperature?.history).toBeUndefined();
        expect(sut.getFullState({ history: 'false' }).temperature?.history).toBeUndefined();
      });

      it.each(['true', 'TRUE', 'yes', 'y', '1'])('is included for history=%s, all of it without a limit', (flag) => {
        expect(sut.getFullState({ history: flag }).temperature?.history?.map((entry) => entry.time)).toEqual([
          100, 102, 104,
        ]);
      });

      it('keeps the last `limit` entries, oldest first, with time and per-heater actual/target', () => {
        expect(sut.getFullState({ history: 'true', limit: '2' }).temperature?.history).toEqual([
          { time: 102, tool0: { actual: 21, target: 200 }, bed: { actual: 31, target: null } },
          { time: 104, tool0: { actual: 22, target: 200 }, bed: { actual: 32, target: null } },
        ]);
      });

      it.each(['0', 'abc', '-1', '1.5'])('returns all of it for limit=%s', (limit) => {
        expect(sut.getFullState({ history: 'true', limit }).temperature?.history).toHaveLength(3);
      });

      it('filters history entries like the endpoint filters readings', () => {
        expect(sut.getToolState({ history: 'y', limit: '1' })).toEqual({
          tool0: { actual: 21.5, target: 0, offset: 0 },
          history: [{ time: 104, tool0: { actual: 22, target: 200 } }],
        });
        expect(sut.getHeaterState('bed', { history: 'y', limit: '1' })).toEqual({
          bed: { actual: 20, target: 60, offset: 0 },
          history: [{ time: 104, bed: { actual: 32, target: null } }],
        });
      });
    });
  });

  describe('tool, bed and chamber state', () => {
    it('is 409 for a bed or chamber the profile lacks, after the operational check', () => {
      expectHttpError(
        () => sut.getHeaterState('chamber', {}),
        ConflictException,
        'Printer does not have a heated chamber',
      );
      comm.setState('OFFLINE', 'Offline', { operational: false });
      expectHttpError(() => sut.getHeaterState('chamber', {}), ConflictException, 'Printer is not operational');
      expectHttpError(() => sut.getToolState({}), ConflictException, 'Printer is not operational');
    });

    it('shows the chamber when the profile has one', () => {
      comm.heaters = { chamber: { actual: 31, target: 40 } };
      sut = serviceWith(comm, { heatedChamber: true });
      expect(sut.getHeaterState('chamber', {})).toEqual({ chamber: { actual: 31, target: 40, offset: 0 } });
    });
  });

  describe('printhead', () => {
    it('jogs relatively with the slowest axis speed by default', () => {
      sut.issuePrintheadCommand(printhead({ x: 10, y: -5, z: 0.02 }));
      sut.issuePrintheadCommand(printhead({ x: 1, y: 2 }));
      expect(comm.sent).toEqual([
        ['G91', 'G0 X10 Y-5 Z0.02 F200', 'G90'],
        ['G91', 'G0 X1 Y2 F6000', 'G90'],
      ]);
    });

    it('jogs absolutely, with an explicit speed, or without F for speed false/0', () => {
      sut.issuePrintheadCommand(printhead({ x: 10, absolute: true, speed: 1500 }));
      sut.issuePrintheadCommand(printhead({ z: 0.00001, speed: false }));
      sut.issuePrintheadCommand(printhead({ y: 3, speed: 0 }));
      expect(comm.sent).toEqual([
        ['G90', 'G0 X10 F1500'],
        ['G91', 'G0 Z0.00001', 'G90'],
        ['G91', 'G0 Y3', 'G90'],
      ]);
    });

    it('refuses a jog without axes or with a negative speed with 400, not 500', () => {
      expectHttpError(
        () => sut.issuePrintheadCommand(printhead({})),
        BadRequestException,
        'jog needs at least one of x, y, z',
      );
      expectHttpError(
        () => sut.issuePrintheadCommand(printhead({ x: 1, speed: -5 })),
        BadRequestException,
        'speed is invalid: must not be negative',
      );
      expect(comm.sent).toEqual([]);
    });

    it('homes the given axes wrapped in G91/G90, and all of them for an empty list', () => {
      sut.issuePrintheadCommand(printhead({ command: 'home', axes: ['y', 'x'] }));
      sut.issuePrintheadCommand(printhead({ command: 'home', axes: [] }));
      expect(comm.sent).toEqual([
        ['G91', 'G28 X0 Y0', 'G90'],
        ['G91', 'G28', 'G90'],
      ]);
    });

    it('sets the feed rate: integers are percent, fractions a factor, at least 1 %', () => {
      sut.issuePrintheadCommand(printhead({ command: 'feedrate', factor: 105 }));
      sut.issuePrintheadCommand(printhead({ command: 'feedrate', factor: 1.15 }));
      expect(comm.sent).toEqual([['M220 S105'], ['M220 S114']]);
      expectHttpError(
        () => sut.issuePrintheadCommand(printhead({ command: 'feedrate', factor: 0.001 })),
        BadRequestException,
        'factor is invalid: must be at least 1 %',
      );
    });

    it('refuses jog and home while printing, but allows the feed rate', () => {
      comm.setState('PRINTING', 'Printing', { printing: true, ready: false });
      for (const body of [printhead({ x: 1 }), printhead({ command: 'home', axes: ['x'] })]) {
        expectHttpError(
          () => sut.issuePrintheadCommand(body),
          ConflictException,
          'Printer is not operational or currently printing',
        );
      }
      sut.issuePrintheadCommand(printhead({ command: 'feedrate', factor: 90 }));
      expect(comm.sent).toEqual([['M220 S90']]);
    });

    it('refuses the feed rate when not operational', () => {
      comm.setState('OFFLINE', 'Offline', { operational: false });
      expectHttpError(
        () => sut.issuePrintheadCommand(printhead({ command: 'feedrate', factor: 90 })),
        ConflictException,
        'Printer is not operational',
      );
    });
  });

  describe('tool', () => {
    it('sets targets with M104, without T on a single-extruder profile', () => {
      sut.issueToolCommand(tool({ command: 'target', targets: { tool0: 220 } }));
      expect(comm.sent).toEqual([['M104 S220']]);
    });

    it('addresses each tool with T on a multi-extruder profile, in the order given', () => {
      sut = serviceWith(comm, { extruder: { count: 2 } });
      sut.issueToolCommand(tool({ command: 'target', targets: { tool1: 205, tool0: 220.5 } }));
      expect(comm.sent).toEqual([['M104 T1 S205', 'M104 T0 S220.5']]);
    });

    it('uses no T with a shared nozzle', () => {
      sut = serviceWith(comm, { extruder: { count: 2, sharedNozzle: true } });
      sut.issueToolCommand(tool({ command: 'target', targets: { tool1: 205 } }));
      expect(comm.sent).toEqual([['M104 S205']]);
    });

    it.each([
      [{ tool3: 200 }, 'targets contains invalid tool "tool3" (the printer has tool0 only)'],
      [{ bed: 60 }, 'targets contains invalid tool "bed" (the printer has tool0 only)'],
      [{ tool0: '200' }, 'targets contains invalid value for tool0'],
      [{ tool0: -1 }, 'target -1 is outside the supported range 0..300 °C for the tool'],
      [{ tool0: 301 }, 'target 301 is outside the supported range 0..300 °C for the tool'],
    ])('refuses targets %j with 400 and sends nothing', (targets, message) => {
      expectHttpError(() => sut.issueToolCommand(tool({ command: 'target', targets })), BadRequestException, message);
      expect(comm.sent).toEqual([]);
    });

    it('keeps offsets on the host, merged, shown in the state, and sends no G-code', () => {
      sut = serviceWith(comm, { extruder: { count: 2 } });
      sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 10, tool1: -5 } }));
      sut.issueToolCommand(tool({ command: 'offset', offsets: { tool1: 50 } }));
      comm.heaters = { tool0: { actual: 20, target: 0 }, tool1: { actual: 21, target: 0 } };
      expect(sut.getToolState({})).toEqual({
        tool0: { actual: 20, target: 0, offset: 10 },
        tool1: { actual: 21, target: 0, offset: 50 },
      });
      expect(comm.sent).toEqual([]);
    });

    it('refuses offsets outside -50..50 without storing any of them', () => {
      expectHttpError(
        () => sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 5, tool1: 1 } })),
        BadRequestException,
        'offsets contains invalid tool "tool1" (the printer has tool0 only)',
      );
      expectHttpError(
        () => sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 50.5 } })),
        BadRequestException,
        'offsets is invalid: 50.5 is outside -50..50',
      );
      expect(sut.getToolState({}).tool0).toEqual({ actual: 21.5, target: 0, offset: 0 });
    });

    it('forgets offsets once the printer is no longer operational', () => {
      sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 7 } }));
      comm.setState('OFFLINE', 'Offline', { operational: false });
      expect(() => sut.getToolState({})).toThrow(ConflictException);
      comm.setState('OPERATIONAL', 'Operational', {});
      expect(sut.getToolState({}).tool0).toEqual({ actual: 21.5, target: 0, offset: 0 });
    });

    it('offers the offsets set (tool and bed) to readers, announcing each change, and none while not operational', () => {
      let changes = 0;
      const stop = sut.onOffsetsChanged(() => (changes += 1));
      expect(sut.temperatureOffsets).toEqual({});
      sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 7 } }));
      sut.issueHeaterCommand('bed', { command: 'offset', offset: -2.5 });
      expect(sut.temperatureOffsets).toEqual({ tool0: 7, bed: -2.5 });
      expect(changes).toBe(2);
      comm.setState('OFFLINE', 'Offline', { operational: false });
      expect(sut.temperatureOffsets).toEqual({});
      expect(changes).toBe(3);
      expect(sut.temperatureOffsets).toEqual({});
      expect(changes).toBe(3);
      stop();
      comm.setState('OPERATIONAL', 'Operational', {});
      sut.issueToolCommand(tool({ command: 'offset', offsets: { tool0: 1 } }));
      expect(changes).toBe(3);
    });

    it('selects a tool of the profile', () => {
      sut = serviceWith(comm, { extruder: { count: 2 } });
      sut.issueToolCommand(tool({ command: 'select', tool: 'tool1' }));
      expect(comm.sent).toEqual([['T1']]);
      expectHttpError(
        () => sut.issueToolCommand(tool({ command: 'select', tool: 'tool2x' })),
        BadRequestException,
        'tool is invalid (the printer has tool0..tool1)',
      );
    });

    it('extrudes relatively in M83 mode, at the profile E speed or slower', () => {
      sut.issueToolCommand(tool({ command: 'extrude', amount: 5 }));
      sut.issueToolCommand(tool({ command: 'extrude', amount: -3, speed: 120.7 }));
      sut.issueToolCommand(tool({ command: 'extrude', amount: 1, speed: 9000 }));
      expect(comm.sent).toEqual([
        ['G91', 'M83', 'G1 E5 F300', 'M82', 'G90'],
        ['G91', 'M83', 'G1 E-3 F120', 'M82', 'G90'],
        ['G91', 'M83', 'G1 E1 F300', 'M82', 'G90'],
      ]);
      expectHttpError(
        () => sut.issueToolCommand(tool({ command: 'extrude', amount: 1, speed: 0 })),
        BadRequestException,
        'speed is invalid',
      );
    });

    it('refuses select and extrude while printing (seed), but allows target and flowrate', () => {
      comm.setState('PRINTING', 'Printing', { printing: true });
      for (const body of [tool({ command: 'select', tool: 'tool0' }), tool({ command: 'extrude', amount: 1 })]) {
        expectHttpError(() => sut.issueToolCommand(body), ConflictException, 'Printer is currently printing');
      }
      sut.issueToolCommand(tool({ command: 'target', targets: { tool0: 200 } }));
      sut.issueToolCommand(tool({ command: 'flowrate', factor: 0.95 }));
      expect(comm.sent).toEqual([['M104 S200'], ['M221 S95']]);
    });

    it('allows extrude while paused', () => {
      comm.setState('PAUSED', 'Paused', { paused: true });
      sut.issueToolCommand(tool({ command: 'extrude', amount: 2 }));
      expect(comm.sent).toEqual([['G91', 'M83', 'G1 E2 F300', 'M82', 'G90']]);
    });
  });

  describe('bed and chamber', () => {
    it('sets the bed target with M140 and the chamber target with M141', () => {
      sut = serviceWith(comm, { heatedChamber: true });
      sut.issueHeaterCommand('bed', { command: 'target', target: 75 });
      sut.issueHeaterCommand('chamber', { command: 'target', target: 0 });
      expect(comm.sent).toEqual([['M140 S75'], ['M141 S0']]);
    });

    it('refuses targets outside the profile range with 400', () => {
      expectHttpError(
        () => sut.issueHeaterCommand('bed', { command: 'target', target: -10 }),
        BadRequestException,
        'target -10 is outside the supported range 0..140 °C for the bed',
      );
      expectHttpError(
        () => sut.issueHeaterCommand('bed', { command: 'target', target: 141 }),
        BadRequestException,
        'target 141 is outside the supported range 0..140 °C for the bed',
      );
    });

    it('keeps the bed offset on the host', () => {
      sut.issueHeaterCommand('bed', { command: 'offset', offset: -5 });
      expect(sut.getHeaterState('bed', {})).toEqual({ bed: { actual: 20, target: 60, offset: -5 } });
      expect(comm.sent).toEqual([]);
      expectHttpError(
        () => sut.issueHeaterCommand('bed', { command: 'offset', offset: -51 }),
        BadRequestException,
        'offset is invalid: -51 is outside -50..50',
      );
    });
  });

  describe('preconditions (checked before the body is parsed)', () => {
    it('orders not operational before a missing heater', () => {
      expectHttpError(
        () => sut.assertPrecondition('chamber'),
        ConflictException,
        'Printer does not have a heated chamber',
      );
      expect(() => sut.assertPrecondition('bed')).not.toThrow();
      comm.setState('CLOSED', 'Offline', { operational: false });
      expectHttpError(() => sut.assertPrecondition('bed'), ConflictException, 'Printer is not operational');
      expectHttpError(() => sut.assertPrecondition('operational'), ConflictException, 'Printer is not operational');
    });

    it('refuses SD commands while printing or paused, and 404s them when SD support is off', () => {
      comm.setState('PAUSED', 'Paused', { paused: true });
      expectHttpError(
        () => sut.assertPrecondition('sd'),
        ConflictException,
        'Printer is not operational or currently busy',
      );
      sut = serviceWith(comm, { sdSupport: false });
      expectHttpError(() => sut.assertPrecondition('sd'), NotFoundException, 'SD support is disabled');
      expectHttpError(() => sut.getSdState(), NotFoundException, 'SD support is disabled');
    });
  });

  describe('SD', () => {
    it('initialises a card that is not ready, and does nothing for one that is', () => {
      sut.issueSdCommand({ command: 'init' });
      comm.sd = { ready: true, printing: false };
      sut.issueSdCommand({ command: 'init' });
      expect(comm.sent).toEqual([['M21']]);
    });

    it('refreshes and releases a ready card', () => {
      comm.sd = { ready: true, printing: false };
      sut.issueSdCommand({ command: 'refresh' });
      sut.issueSdCommand({ command: 'release' });
      expect(comm.sent).toEqual([['M20'], ['M22']]);
      expect(sut.getSdState()).toEqual({ ready: true });
    });

    it.each(['refresh', 'release'] as const)('answers 409 to %s on an uninitialised card (seed)', (command) => {
      expectHttpError(() => sut.issueSdCommand({ command }), ConflictException, 'SD card has not been initialized');
      expect(comm.sent).toEqual([]);
    });
  });

  describe('raw G-code', () => {
    it('sends a command or commands verbatim, in order, trimmed, skipping blank lines', () => {
      sut.sendCommands({ command: 'M105' });
      sut.sendCommands({ commands: ['G28 X', '  ', 'M400 '] });
      sut.sendCommands({ commands: [] });
      expect(comm.sent).toEqual([['M105'], ['G28 X', 'M400']]);
    });

    it('substitutes %(name)s placeholders when parameters are given', () => {
      sut.sendCommands({
        commands: ['M104 S%(temp)s', 'M117 100%% %(msg)s', 'G1 E%(e)d'],
        parameters: { temp: 210, msg: 'hot', e: 2.9 },
      });
      sut.sendCommands({ commands: ['M117 50%'] });
      expect(comm.sent).toEqual([['M104 S210', 'M117 100% hot', 'G1 E2'], ['M117 50%']]);
    });

    it.each([
      [
        { commands: ['M104 S%(nope)s'], parameters: { temp: 1 } },
        'commands[0]: no parameter named "nope" for %(nope)s',
      ],
      [
        { commands: ['M117 ok', 'M117 50%'], parameters: { a: 1 } },
        'commands[1]: a lone % is not a placeholder; write %(name)s, or %% for a literal %',
      ],
      [{ command: 'M104 S1\nM112' }, 'commands[0] contains a line break'],
      [{ command: 'M105', commands: ['M105'] }, "'command' and 'commands' are mutually exclusive"],
      [{}, "Need one of 'command' or 'commands'"],
    ])('refuses %j with 400 (OctoPrint answers some of these with 500)', (body, message) => {
      expectHttpError(() => sut.sendCommands(body), BadRequestException, message);
      expect(comm.sent).toEqual([]);
    });
  });

  describe('errors and custom controls', () => {
    it('reports no error as empty strings', () => {
      expect(sut.getErrorInfo()).toEqual({ error: '', reason: '' });
    });

    it('reports the last error with its details', () => {
      comm.lastError = {
        error: 'Heating failed',
        reason: 'firmware',
        consequence: 'emergency',
        faq: null,
        logs: ['Recv: Error:Heating failed'],
      };
      expect(sut.getErrorInfo()).toEqual({
        error: 'Heating failed',
        reason: 'firmware',
        consequence: 'emergency',
        faq: null,
        logs: ['Recv: Error:Heating failed'],
      });
    });

    it('serves the configured custom controls', () => {
      const controls = [{ name: 'Fan', children: [{ name: 'On', command: 'M106' }] }];
      expect(serviceWith(comm, { controls }).getCustomControls()).toEqual({ controls });
      expect(sut.getCustomControls()).toEqual({ controls: [] });
    });
  });
});
