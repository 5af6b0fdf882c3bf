import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../config/config.loader.js';
import { ChildProcessChannel } from './child-process-channel.js';
import { configuredCommChannel } from './comm.module.js';
import { InProcessChannel } from './in-process-channel.js';

const serial = (section: Record<string, unknown>) => validateConfig({ serial: section }, 'test').serial;

describe('serial.commProcess', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs the comm layer in a child process by default, in the server with `server`', () => {
    expect(configuredCommChannel(serial({}))).toBeInstanceOf(ChildProcessChannel);
    expect(configuredCommChannel(serial({ commProcess: 'child' }))).toBeInstanceOf(ChildProcessChannel);
    expect(configuredCommChannel(serial({ commProcess: 'server' }))).toBeInstanceOf(InProcessChannel);
  });

  it('still understands the deprecated serial.thread, and says so', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(configuredCommChannel(serial({ thread: 'main' }))).toBeInstanceOf(InProcessChannel);
    expect(configuredCommChannel(serial({ thread: 'worker' }))).toBeInstanceOf(ChildProcessChannel);
    // The new key wins over the old one.
    expect(configuredCommChannel(serial({ thread: 'main', commProcess: 'child' }))).toBeInstanceOf(ChildProcessChannel);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[0]?.[0]).toBe(
      'serial.thread is deprecated: the comm layer runs in a process, not a thread. Use serial.commProcess: server',
    );
  });

  it('refuses values it does not know', () => {
    expect(() => serial({ commProcess: 'thread' })).toThrow(/serial\.commProcess/);
  });
});
