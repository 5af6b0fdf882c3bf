import type { Firmware } from '../firmware.js';
import { num, type ParsedCommand } from '../gcode.js';
import { FolderSdStore, MemorySdStore, dosListing, fatTimestamp, type SdListing, type SdStore } from '../sd.js';
import { AutoReport } from './auto-report.js';
import { MAX_CMD_SIZE, type CommandRun, type RingCommand, type Running, type SdState } from '../types.js';

/**
 * The SD card: mount (M21/M22), list (M20), select, print, pause and seek (M23-M27, M524), write (M28/M29),
 * delete (M30), long path (M33), the M27 autoreport, and reading the printed file into the command ring.
 */
export class SdCard {
  mounted: boolean;
  /** The file being written by M28, until M29. */
  saving: { name: string; path: string; chunks: string[] } | null = null;
  private readonly store: SdStore | null;
  private file: { name: string; path: string; data: Buffer } | null = null;
  private printing = false;
  private pos = 0;
  private eof = false;
  private readonly autoReport: AutoReport;

  constructor(private readonly fw: Firmware) {
    const options = fw.options;
    this.store = !options.sdSupport
      ? null
      : options.sdFolder
        ? new FolderSdStore(options.sdFolder)
        : new MemorySdStore(options.sdFiles);
    this.mounted = options.sdSupport && options.sdCard;
    this.autoReport = new AutoReport(fw, () => this.status());
  }

  reset(): void {
    this.autoReport.reset();
    this.file = null;
    this.printing = false;
    this.pos = 0;
    this.eof = false;
    this.saving = null;
    this.mounted = this.fw.options.sdSupport && this.fw.options.sdCard;
  }

  clearTimers(): void {
    this.autoReport.clearTimer();
  }

  state(): SdState {
    return {
      mounted: this.mounted,
      selected: this.file?.name ?? null,
      printing: this.printing,
      paused: this.file !== null && !this.printing && this.pos > 0,
      pos: this.pos,
      size: this.file?.data.length ?? 0,
      saving: this.saving?.name ?? null,
    };
  }

  /** Files on the card (long paths) and their content. */
  files(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of this.store?.list() ?? [])
      out[entry.path] = this.store?.read(entry.path)?.toString('latin1') ?? '';
    return out;
  }

  /** get_sdcard_commands: reads lines of the printed file while the ring has room. */
  fill(): void {
    const fw = this.fw;
    while (fw.loop.ring.length < fw.options.bufsize && this.printing && !this.eof && fw.mode !== 'killed') {
      this.readLine();
    }
  }

  /** After the last line of the printed file ran: `Done printing file`. */
  maybeDone(): void {
    if (!this.printing || !this.eof) return;
    if (this.fw.loop.ring.some((c) => c.source === 'sd')) return;
    this.printing = false;
    this.file = null;
    this.pos = 0;
    this.fw.sendLine('Done printing file');
  }

  /** A serial line while M28 is writing: stored, not executed (M29 ends it). */
  // eslint-disable-next-line require-yield
  *saveLine(cmd: RingCommand): CommandRun {
    const saving = this.saving;
    if (!saving) return;
    if (/M29(?![0-9])/.test(cmd.line)) {
      this.store?.write(saving.path, Buffer.from(saving.chunks.join(''), 'latin1'));
      this.saving = null;
      this.fw.sendLine(this.fw.dialect.sdSaved());
      return;
    }
    let text = cmd.line;
    if (text.startsWith('N')) {
      const space = text.indexOf(' ');
      text = space >= 0 ? text.slice(space + 1) : '';
      const star = text.indexOf('*');
      if (star >= 0) text = text.slice(0, star);
    }
    saving.chunks.push(`${text}\r\n`);
  }

  handle(cmd: ParsedCommand, running: Running): CommandRun | boolean {
    const code = cmd.code;
    if (!this.store || cmd.letter !== 'M' || code === null) return false;
    if (!((code >= 20 && code <= 30) || code === 524 || code === 33)) return false;
    const { dialect } = this.fw;
    const send = (line: string | null): void => {
      if (line !== null) this.fw.sendLine(line);
    };
    if (code === 21) {
      this.mounted = this.fw.options.sdCard;
      send(dialect.sdInit(this.mounted));
      return true;
    }
    if (code === 22) {
      if (this.printing) return true;
      this.mounted = false;
      this.file = null;
      send(dialect.sdReleased());
      return true;
    }
    if (!this.mounted) {
      if (code === 20) send(dialect.sdNoMedia());
      return true;
    }
    this.command(cmd, code, running);
    return true;
  }

  private command(cmd: ParsedCommand, code: number, running: Running): void {
    const fw = this.fw;
    const arg = cmd.stringArg.trim();
    switch (code) {
      case 20: {
        fw.sendLine('Begin file list');
        for (const file of this.listing()) {
          const stamp = cmd.params.has('T')
            ? `0x${fatTimestamp(file.mtime).toString(16).toUpperCase().padStart(8, '0')}`
            : null;
          fw.sendLine(fw.dialect.sdListLine(file, stamp, cmd.params.has('L')));
        }
        fw.sendLine('End file list');
        return;
      }
      case 23:
        this.select(arg);
        return;
      case 24:
        if (!this.file) return;
        this.printing = true;
        this.eof = this.pos >= this.file.data.length;
        if (this.eof) this.maybeDone();
        return;
      case 25:
        this.printing = false;
        return;
      case 26: {
        const s = num(cmd, 'S');
        if (this.file && s !== undefined) {
          this.pos = Math.max(0, Math.min(this.file.data.length, Math.trunc(s)));
          this.eof = this.pos >= this.file.data.length;
        }
        return;
      }
      case 27:
        this.m27(cmd);
        return;
      case 28: {
        const path = arg.replace(/^\/+/, '');
        const name = path.split('/').pop() ?? path;
        if (!path) {
          fw.sendLine(`open failed, File: ${name}.`);
          return;
        }
        const existing = this.findFile(path);
        this.saving = { name, path: existing?.path ?? path, chunks: [] };
        fw.sendLine(`Writing to file: ${name}`);
        return;
      }
      case 29:
        return;
      case 30:
        this.remove(arg);
        return;
      case 33: {
        const file = this.findFile(arg);
        if (file) fw.sendLine(file.path);
        return;
      }
      case 524:
        this.printing = false;
        this.file = null;
        this.pos = 0;
        this.eof = false;
        fw.loop.ring = fw.loop.ring.filter((c) => c.source !== 'sd' || c === running.cmd);
        return;
      default:
        fw.system.unknown(cmd);
    }
  }

  private select(arg: string): void {
    const fw = this.fw;
    const file = this.findFile(arg);
    const name = arg.split('/').pop() ?? arg;
    const opening = fw.dialect.sdOpening(arg);
    if (opening !== null) fw.sendLine(opening);
    if (!file) {
      fw.sendLine(`open failed, File: ${name}.`);
      return;
    }
    const data = this.store?.read(file.path) ?? Buffer.alloc(0);
    this.file = { name: file.dosPath, path: file.path, data };
    this.pos = 0;
    this.eof = false;
    this.printing = false;
    fw.sendLine(fw.dialect.sdOpened(file, name, data.length));
    fw.sendLine('File selected');
  }

  private m27(cmd: ParsedCommand): void {
    const fw = this.fw;
    if (cmd.params.has('C')) {
      fw.sendLine(
        this.file
          ? `Current file: ${this.file.name} ${this.file.path.split('/').pop() ?? ''}`
          : 'Current file: (no file)',
      );
      return;
    }
    const s = num(cmd, 'S');
    if (s !== undefined) {
      this.autoReport.set(s);
      return;
    }
    fw.sendLine(this.status());
  }

  private remove(arg: string): void {
    const file = this.findFile(arg);
    const name = arg.replace(/^\/+/, '');
    const ok = file ? (this.store?.remove(file.path) ?? false) : false;
    if (file && this.file?.path === file.path) {
      this.file = null;
      this.printing = false;
    }
    const reply = this.fw.dialect.sdDeleted(ok, name);
    if (reply !== null) this.fw.sendLine(reply);
  }

  private status(): string {
    if (this.file && (this.printing || this.pos > 0)) return `SD printing byte ${this.pos}/${this.file.data.length}`;
    return 'Not SD printing';
  }

  private listing(): SdListing[] {
    return dosListing(this.store?.list() ?? []);
  }

  private findFile(arg: string): SdListing | undefined {
    const wanted = arg.trim().replace(/^\/+/, '');
    const lower = wanted.toLowerCase();
    return this.listing().find((f) => f.dosPath.toLowerCase() === lower || f.path.toLowerCase() === lower);
  }

  private readLine(): void {
    const file = this.file;
    if (!file) {
      this.eof = true;
      return;
    }
    const data = file.data;
    let line = '';
    let comment = false;
    while (this.pos < data.length) {
      const c = data[this.pos++] ?? 0;
      if (c === 10 || c === 13) {
        if (line.trim().length > 0) break;
        line = '';
        comment = false;
        continue;
      }
      if (comment) continue;
      if (c === 59) {
        comment = true;
        continue;
      }
      if (line.length < MAX_CMD_SIZE - 1) line += String.fromCharCode(c);
    }
    if (this.pos >= data.length) this.eof = true;
    line = line.trim();
    if (line.length > 0) this.fw.loop.ring.push({ line, lineNumber: null, source: 'sd' });
    if (this.eof) this.maybeDone();
  }
}
