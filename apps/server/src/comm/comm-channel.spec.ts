import { describe, expect, it } from 'vitest';
import { reviveError, serializeError } from './comm-channel.js';
import { CommandRejectedError, ConnectionLostError } from './printer-comm.js';
import { SerialWriteError } from './serial-link.js';

/** What crosses the IPC channel: the serialized error after a structured clone, as the comm process sends it. */
const acrossTheChannel = (error: unknown): Error => reviveError(structuredClone(serializeError(error)));

describe('errors between the comm process and the server', () => {
  it('rebuilds the comm layer error classes with their messages, so callers can tell them apart', () => {
    const rejected = acrossTheChannel(new CommandRejectedError('Printer is not operational'));
    expect(rejected).toBeInstanceOf(CommandRejectedError);
    expect(rejected.message).toBe('Printer is not operational');
    const lost = acrossTheChannel(new ConnectionLostError('Disconnected from the printer'));
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect(lost).not.toBeInstanceOf(CommandRejectedError);
    expect(lost.message).toBe('Disconnected from the printer');
    const write = acrossTheChannel(new SerialWriteError('EIO: i/o error, write'));
    expect(write).toBeInstanceOf(SerialWriteError);
    expect(write.message).toBe('EIO: i/o error, write');
  });

  it('keeps the name and message of any other error, and turns a non-error into a message', () => {
    const other = acrossTheChannel(new RangeError('out of range'));
    expect(other).not.toBeInstanceOf(CommandRejectedError);
    expect({ name: other.name, message: other.message }).toEqual({ name: 'RangeError', message: 'out of range' });
    expect(acrossTheChannel('plain text')).toMatchObject({ name: 'Error', message: 'plain text' });
  });
});
