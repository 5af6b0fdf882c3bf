import { checksum } from './checksum.js';
import type { LineErrorKind } from './dialect.js';
import type { Firmware } from './firmware.js';
import { runDebugCommand } from './faults.js';
import { strtol } from './gcode.js';
import { MAX_CMD_SIZE } from './types.js';

const EMERGENCY = /^\s*(?:N\d+\s*)?(M112|M108|M410)(?![0-9])/i;
const LF = 10;
const CR = 13;
const SEMICOLON = 59;
const BACKSLASH = 92;

/** Index of the first CR or LF in bytes[from, to), or -1. */
function lineEnd(bytes: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c === LF || c === CR) return i;
  }
  return -1;
}

/**
 * The serial side of the firmware: the RX buffer, line framing (comments, escapes, MAX_CMD_SIZE), the emergency
 * parser, and Marlin's line-number and checksum rules. Accepted lines go to the command ring; nothing runs here.
 */
export class SerialIntake {
  /** N of the last accepted numbered line. */
  lastN = 0;
  private rx: Buffer;
  private rxHead = 0;
  private rxLen = 0;
  private lineBuf = '';
  private lineState: 'normal' | 'eol' | 'escape' = 'normal';
  private epLine = '';

  constructor(private readonly fw: Firmware) {
    this.rx = Buffer.alloc(Math.max(1, fw.options.rxBufferSize));
  }

  /** Bytes waiting in the RX buffer. */
  get buffered(): number {
    return this.rxLen;
  }

  get free(): number {
    return this.rx.length - this.rxLen;
  }

  /**
   * Copies what fits into the RX buffer. The emergency parser sees each line as its end arrives: an M112 that halts
   * the board empties the buffer, and the bytes after it land in the emptied buffer, as in Marlin's RX interrupt.
   */
  accept(bytes: Buffer): number {
    const accept = Math.min(bytes.length, this.rx.length - this.rxLen);
    if (!this.fw.dialect.parsesEmergencyInRx(this.fw.options)) {
      this.store(bytes, 0, accept);
      return accept;
    }
    let from = 0;
    while (from < accept) {
      const eol = lineEnd(bytes, from, accept);
      const to = eol < 0 ? accept : eol + 1;
      this.store(bytes, from, to);
      this.emergencyText(bytes, from, eol < 0 ? accept : eol);
      from = to;
      if (eol >= 0) this.emergencyLineEnd();
    }
    return accept;
  }

  /** get_serial_commands: frames bytes into lines until the ring is full or the buffer is empty. */
  fill(): void {
    const fw = this.fw;
    while (fw.loop.ring.length < fw.options.bufsize && this.rxLen > 0 && fw.mode !== 'killed') {
      // One contiguous run of the ring buffer, up to and including the first line end.
      const start = this.rxHead;
      const limit = start + Math.min(this.rxLen, this.rx.length - start);
      const eol = lineEnd(this.rx, start, limit);
      const stop = eol < 0 ? limit : eol;
      const taken = (eol < 0 ? limit : eol + 1) - start;
      this.rxHead = (this.rxHead + taken) % this.rx.length;
      this.rxLen -= taken;
      this.frame(this.rx, start, stop);
      if (eol >= 0) this.endLine();
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
    this.rx = Buffer.alloc(Math.max(1, bytes));
    this.rxHead = 0;
    this.rxLen = Math.min(pending.length, this.rx.length);
    this.rx.set(pending.slice(0, this.rxLen));
  }

  /** `Resend: <last N + 1>` and an ok (flush_and_request_resend). */
  requestResend(): void {
    this.fw.sendLine(this.fw.dialect.resendRequest(this.lastN + 1));
    this.fw.sendOk('ok');
  }

  private store(bytes: Buffer, from: number, to: number): void {
    const rx = this.rx;
    let at = (this.rxHead + this.rxLen) % rx.length;
    for (let i = from; i < to;) {
      const n = Math.min(to - i, rx.length - at);
      bytes.copy(rx, at, i, i + n);
      i += n;
      at = (at + n) % rx.length;
    }
    this.rxLen += to - from;
  }

  /** Emergency parser: collects the line (up to MAX_CMD_SIZE characters). */
  private emergencyText(bytes: Buffer, from: number, to: number): void {
    const room = MAX_CMD_SIZE - this.epLine.length;
    if (room > 0 && to > from) this.epLine += bytes.toString('latin1', from, Math.min(to, from + room));
  }

  private emergencyLineEnd(): void {
    const m = EMERGENCY.exec(this.epLine);
    this.epLine = '';
    if (m) this.fw.dialect.emergency((m[1] ?? '').toUpperCase() as 'M112' | 'M108' | 'M410', this.fw);
  }

  /** Adds bytes (no line end among them) to the line: comments cut, `\\` escapes, MAX_CMD_SIZE - 1 kept. */
  private frame(bytes: Buffer, from: number, to: number): void {
    let i = from;
    while (i < to && this.lineState !== 'eol') {
      if (this.lineState === 'normal') {
        // The plain run up to the next `;` or `\\`, in one piece.
        let j = i;
        while (j < to && bytes[j] !== SEMICOLON && bytes[j] !== BACKSLASH) j++;
        const keep = Math.min(j - i, MAX_CMD_SIZE - 1 - this.lineBuf.length);
        if (keep > 0) this.lineBuf += bytes.toString('latin1', i, i + keep);
        if (this.lineBuf.length >= MAX_CMD_SIZE - 1) {
          this.lineState = 'eol';
          return;
        }
        if (j >= to) return;
        i = j;
        if (bytes[i] === SEMICOLON) {
          this.lineState = 'eol';
          return;
        }
        this.lineState = 'escape'; // a backslash: kept, and the character after it is taken as it is
      } else this.lineState = 'normal';
      this.lineBuf += String.fromCharCode(bytes[i] ?? 0);
      i++;
      if (this.lineBuf.length >= MAX_CMD_SIZE - 1) this.lineState = 'eol';
    }
  }

  private endLine(): void {
    const line = this.lineBuf;
    this.lineBuf = '';
    this.lineState = 'normal';
    if (line.length > 0) this.lineDone(line);
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
