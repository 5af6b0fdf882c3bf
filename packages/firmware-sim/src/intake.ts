import { checksum } from './checksum.js';
import type { LineErrorKind } from './dialect.js';
import type { Firmware } from './firmware.js';
import { runDebugCommand } from './faults.js';
import { strtol } from './gcode.js';
import { MAX_CMD_SIZE } from './types.js';

const EMERGENCY = /^\s*(?:N\d+\s*)?(M112|M108|M410)(?![0-9])/i;

/**
 * The serial side of the firmware: the RX buffer, line framing (comments, escapes, MAX_CMD_SIZE), the emergency
 * parser, and Marlin's line-number and checksum rules. Accepted lines go to the command ring; nothing runs here.
 */
export class SerialIntake {
  /** N of the last accepted numbered line. */
  lastN = 0;
  private rx: Uint8Array;
  private rxHead = 0;
  private rxLen = 0;
  private lineBuf = '';
  private lineState: 'normal' | 'eol' | 'escape' = 'normal';
  private epLine = '';

  constructor(private readonly fw: Firmware) {
    this.rx = new Uint8Array(Math.max(1, fw.options.rxBufferSize));
  }

  /** Bytes waiting in the RX buffer. */
  get buffered(): number {
    return this.rxLen;
  }

  get free(): number {
    return this.rx.length - this.rxLen;
  }

  /** Copies what fits into the RX buffer (the emergency parser sees each byte as it arrives). */
  accept(bytes: Uint8Array): number {
    const accept = Math.min(bytes.length, this.rx.length - this.rxLen);
    const emergency = this.fw.dialect.parsesEmergencyInRx(this.fw.options);
    for (let i = 0; i < accept; i++) {
      const c = bytes[i] ?? 0;
      this.rx[(this.rxHead + this.rxLen) % this.rx.length] = c;
      this.rxLen++;
      if (emergency) this.emergencyChar(c);
    }
    return accept;
  }

  /** get_serial_commands: frames bytes into lines until the ring is full or the buffer is empty. */
  fill(): void {
    const fw = this.fw;
    while (fw.loop.ring.length < fw.options.bufsize && this.rxLen > 0 && fw.mode !== 'killed') {
      const c = this.rx[this.rxHead] ?? 0;
      this.rxHead = (this.rxHead + 1) % this.rx.length;
      this.rxLen--;
      this.serialChar(c);
    }
  }

  reset(): void {
    this.clearBuffer();
    this.lineBuf = '';
    this.lineState = 'normal';
    this.epLine = '';
    this.lastN = 0;
  }

  clearBuffer(): void {
    this.rxHead = 0;
    this.rxLen = 0;
  }

  setBufferSize(bytes: number): void {
    const pending: number[] = [];
    for (let i = 0; i < this.rxLen; i++) pending.push(this.rx[(this.rxHead + i) % this.rx.length] ?? 0);
    this.rx = new Uint8Array(Math.max(1, bytes));
    this.rxHead = 0;
    this.rxLen = Math.min(pending.length, this.rx.length);
    this.rx.set(pending.slice(0, this.rxLen));
  }

  /** `Resend: <last N + 1>` and an ok (flush_and_request_resend). */
  requestResend(): void {
    this.fw.sendLine(this.fw.dialect.resendRequest(this.lastN + 1));
    this.fw.sendOk('ok');
  }

  private emergencyChar(c: number): void {
    if (c === 10 || c === 13) {
      const m = EMERGENCY.exec(this.epLine);
      this.epLine = '';
      if (m) this.fw.dialect.emergency((m[1] ?? '').toUpperCase() as 'M112' | 'M108' | 'M410', this.fw);
      return;
    }
    if (this.epLine.length < MAX_CMD_SIZE) this.epLine += String.fromCharCode(c);
  }

  private serialChar(c: number): void {
    if (c === 10 || c === 13) {
      const line = this.lineBuf;
      this.lineBuf = '';
      this.lineState = 'normal';
      if (line.length > 0) this.lineDone(line);
      return;
    }
    if (this.lineState === 'eol') return;
    const ch = String.fromCharCode(c);
    if (this.lineState === 'escape') this.lineState = 'normal';
    else if (ch === ';') {
      this.lineState = 'eol';
      return;
    } else if (ch === '\\') this.lineState = 'escape';
    this.lineBuf += ch;
    if (this.lineBuf.length >= MAX_CMD_SIZE - 1) this.lineState = 'eol';
  }

  private flushRx(): void {
    this.clearBuffer();
    this.lineBuf = '';
    this.lineState = 'normal';
  }

  /** process_line_done: N / checksum / M110 rules (spec §1.2). */
  private lineDone(raw: string): void {
    const fw = this.fw;
    const faults = fw.faults;
    const command = raw.replace(/^ +/, '');
    if (command.length === 0) return;
    if (command.startsWith('!!DEBUG')) {
      runDebugCommand(fw.sim, command.slice(7).replace(/^:/, '').trim());
      return;
    }
    if (faults.dropLines > 0) {
      faults.dropLines--;
      return;
    }
    let lineNumber: number | null = null;
    if (command[0] === 'N') {
      const m110 = command.indexOf('M110');
      let npos = 0;
      if (m110 >= 0) {
        const n2 = command.indexOf('N', m110 + 4);
        if (n2 >= 0) npos = n2;
      }
      const n = strtol(command.slice(npos + 1));
      if (faults.resendsWithoutOk > 0) {
        faults.resendsWithoutOk--;
        this.flushRx();
        fw.sendLine(fw.dialect.resendRequest(this.lastN + 1));
        return;
      }
      if (faults.lineNumberErrors.length > 0) {
        const expected = faults.lineNumberErrors.shift() ?? null;
        this.lastN = (expected ?? this.lastN + 1) - 1;
        this.lineError('line', n);
        return;
      }
      if (n !== this.lastN + 1 && m110 < 0) {
        this.lineError('line', n);
        return;
      }
      const star = command.lastIndexOf('*');
      if (star < 0) {
        this.lineError('nochecksum', n);
        return;
      }
      let bad = strtol(command.slice(star + 1)) !== checksum(command.slice(0, star));
      const corrupt = faults.corruptLines.findIndex((target) => target === null || target === n);
      if (!bad && corrupt >= 0) {
        faults.corruptLines.splice(corrupt, 1);
        bad = true;
      }
      if (!bad && faults.noiseRate > 0 && faults.rng() < faults.noiseRate) bad = true;
      if (bad) {
        this.lineError('checksum', n);
        return;
      }
      this.lastN = n;
      lineNumber = n;
    } else if (fw.card.saving && !/M29(?![0-9])/.test(command)) {
      this.lineError('nochecksum', null);
      return;
    }
    fw.remindStopped(command);
    if (fw.dialect.inlineEmergency(command, fw)) return;
    fw.loop.ring.push({ line: command, lineNumber, source: 'serial' });
  }

  private lineError(kind: LineErrorKind, got: number | null): void {
    this.fw.sendLine(this.fw.dialect.lineError(kind, this.lastN, got));
    this.flushRx();
    this.requestResend();
  }
}
