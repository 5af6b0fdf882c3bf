import type { Firmware } from '../firmware.js';
import { num, type ParsedCommand } from '../gcode.js';
import type { CommandRun, Running } from '../types.js';

/**
 * System and info: line numbering (M110), emergency stop (M112), firmware info and capabilities (M115), messages
 * (M117/M118), restart after a stop (M999), the dialect's own commands, and the reply to an unknown command.
 */
export class SystemCommands {
  constructor(private readonly fw: Firmware) {}

  handle(cmd: ParsedCommand, running: Running): CommandRun | boolean {
    const fw = this.fw;
    if (cmd.letter !== 'M' || cmd.code === null) return fw.dialect.extraCommand(cmd, fw, running);
    switch (cmd.code) {
      case 108: // acted on when the line arrived (or by the emergency parser)
      case 410:
      case 876:
        return true;
      case 110: {
        const n = num(cmd, 'N');
        if (n !== undefined) fw.intake.lastN = Math.trunc(n);
        return true;
      }
      case 112:
        fw.dialect.shutdown(fw);
        return true;
      case 115:
        this.m115();
        return true;
      case 117: {
        const reply = fw.dialect.displayMessage(cmd.stringArg);
        if (reply !== null) fw.sendLine(reply);
        return true;
      }
      case 118:
        this.m118(cmd);
        return true;
      case 999:
        fw.dialect.restart(fw, cmd, running);
        return true;
    }
    return false;
  }

  unknown(cmd: ParsedCommand): void {
    const reply = this.fw.dialect.unknownCommand(cmd);
    if (reply !== null) this.fw.sendLine(reply);
  }

  /** The M115 capability list after profile and overrides. */
  capabilityList(): Array<[string, boolean]> {
    const options = this.fw.options;
    const { base, derived } = this.fw.dialect.capabilities(options);
    const list: Array<[string, boolean]> = base.map(([name, value]) => [
      name,
      options.capabilities[name] ?? derived[name] ?? value,
    ]);
    for (const [name, value] of Object.entries(options.capabilities)) {
      if (!list.some(([n]) => n === name)) list.push([name, value]);
    }
    return list;
  }

  private m115(): void {
    const fw = this.fw;
    fw.sendLine(fw.dialect.firmwareInfo(fw.options, fw.thermal.hotends.length));
    if (!fw.options.extendedCapabilities) return;
    for (const [name, value] of this.capabilityList()) fw.sendLine(`Cap:${name}:${value ? 1 : 0}`);
  }

  private m118(cmd: ParsedCommand): void {
    let text = cmd.stringArg;
    let hasA = false;
    let hasE = false;
    for (let i = 0; i < 3; i++) {
      const m = /^([AEP])([0-9]?)\s*/.exec(text);
      if (!m) break;
      if (m[1] === 'A') hasA = m[2] !== '0';
      if (m[1] === 'E') hasE = m[2] !== '0';
      text = text.slice(m[0].length);
    }
    this.fw.sendLine(`${hasE ? 'echo:' : ''}${hasA ? '//' : ''}${text}`);
  }
}
