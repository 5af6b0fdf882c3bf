import type { HeaterSet } from '../dialect.js';
import type { HeaterRef } from '../faults.js';
import type { Firmware } from '../firmware.js';
import { num, type ParsedCommand } from '../gcode.js';
import { Heater, type HeaterKind } from '../thermal.js';
import { AutoReport } from './auto-report.js';
import type { CommandRun, HeaterState, Running } from '../types.js';

const HOTEND_OVERSHOOT = 15;
const BED_OVERSHOOT = 10;

/**
 * Heaters and their commands: targets and waits (M104/M109, M140/M190, M141/M191), reports (M105, the M155
 * autoreport), MAXTEMP/MINTEMP checks. Fans and units (M106/M107/M149) are accepted and ignored.
 */
export class Thermal implements HeaterSet {
  hotends: Heater[] = [];
  bed: Heater | null = null;
  chamber: Heater | null = null;
  private ambientTemp: number;
  private heatWaiting = false;
  private waitCancelled = false;
  private readonly autoReport: AutoReport;

  constructor(private readonly fw: Firmware) {
    this.ambientTemp = fw.options.ambient;
    // A heat-up wait prints its own temperature lines; the autoreport stays quiet meanwhile.
    this.autoReport = new AutoReport(fw, () => (this.heatWaiting ? undefined : this.report('report')));
  }

  /** Power-on heaters; a heater keeps its temperature and pin across a reset. */
  init(): void {
    const { options, clock } = this.fw;
    const now = clock.now();
    const model = {
      heatingRate: options.heatingRate,
      coolingRate: options.coolingRate,
      ambient: () => this.ambientTemp,
    };
    const keep = (old: Heater | undefined | null, kind: HeaterKind, index: number): Heater => {
      const heater = new Heater(kind, index, model, now);
      if (old) {
        old.update(now);
        heater.current = old.current;
        heater.pinned = old.pinned;
      }
      return heater;
    };
    this.hotends = Array.from({ length: options.extruders }, (_, i) => keep(this.hotends[i], 'hotend', i));
    this.bed = options.heatedBed ? keep(this.bed, 'bed', 0) : null;
    this.chamber = options.heatedChamber ? keep(this.chamber, 'chamber', 0) : null;
  }

  reset(): void {
    this.heatWaiting = false;
    this.autoReport.reset();
  }

  clearTimers(): void {
    this.autoReport.clearTimer();
  }

  get autoreportInterval(): number {
    return this.autoReport.interval;
  }

  snapshot(): { tools: HeaterState[]; bed: HeaterState | null; chamber: HeaterState | null } {
    this.update();
    const h = (heater: Heater): HeaterState => ({ actual: heater.current, target: heater.target });
    return {
      tools: this.hotends.map(h),
      bed: this.bed ? h(this.bed) : null,
      chamber: this.chamber ? h(this.chamber) : null,
    };
  }

  all(): Heater[] {
    return [...this.hotends, ...(this.bed ? [this.bed] : []), ...(this.chamber ? [this.chamber] : [])];
  }

  heaterFor(ref: HeaterRef): Heater | null {
    if (typeof ref === 'number') return this.hotends[ref] ?? null;
    if (ref === 'bed' || ref === 'B') return this.bed;
    if (ref === 'chamber' || ref === 'C') return this.chamber;
    const m = /^T(\d+)$/.exec(ref);
    return m ? (this.hotends[Number(m[1])] ?? null) : null;
  }

  update(): void {
    const now = this.fw.clock.now();
    for (const h of this.all()) h.update(now);
  }

  /** Pin fault: holds a heater at `temperature` (null releases it). */
  pin(ref: HeaterRef, temperature: number | null): void {
    const heater = this.heaterFor(ref);
    if (!heater) return;
    this.update();
    heater.pinned = temperature;
    if (temperature !== null) heater.current = temperature;
    this.checkLimits(heater);
    this.fw.loop.wakeRunning();
  }

  setAmbient(temperature: number): void {
    this.update();
    this.ambientTemp = temperature;
  }

  /** M108: ends a heat-up wait. */
  cancelWait(): void {
    this.waitCancelled = true;
    this.fw.loop.wakeRunning();
  }

  report(kind: 'ok' | 'report' | 'wait', tool = this.fw.motion.activeTool, residency?: string): string {
    this.update();
    return this.fw.dialect.tempReport(kind, this, tool, this.fw.options, residency);
  }

  handle(cmd: ParsedCommand, running: Running): CommandRun | boolean {
    if (cmd.letter !== 'M' || cmd.code === null) return false;
    switch (cmd.code) {
      case 106:
      case 107:
      case 149:
        return true;
      case 104:
      case 109:
        return this.hotendTemp(cmd, cmd.code === 109, running);
      case 140:
      case 190:
        return this.bed !== null && this.heaterTemp(this.bed, cmd, cmd.code === 190, running);
      case 141:
      case 191:
        return this.chamber !== null && this.heaterTemp(this.chamber, cmd, cmd.code === 191, running);
      case 105:
        this.m105(cmd, running);
        return true;
      case 155: {
        const s = num(cmd, 'S');
        if (s !== undefined) this.autoReport.set(s);
        return true;
      }
    }
    return false;
  }

  private checkLimits(h: Heater): void {
    if (this.fw.mode === 'killed') return;
    if (h.current >= this.fw.options.maxTemp[h.kind]) this.fw.fatal('maxtemp', h.kind === 'hotend' ? h.index : h.kind);
    else if (h.kind === 'hotend' && h.current < this.fw.options.minTemp) this.fw.fatal('mintemp', h.index);
  }

  private m105(cmd: ParsedCommand, running: Running): void {
    const t = num(cmd, 'T');
    const tool = t ?? this.fw.motion.activeTool;
    if (t !== undefined && this.hotends[t] === undefined) {
      this.fw.sendLine(`echo:M105 Invalid extruder ${t}`);
      return;
    }
    if (this.fw.dialect.okBeforeTempReport(this.fw.options)) {
      this.fw.sendLine(this.report('ok', tool));
      return;
    }
    running.skipOk = true;
    this.fw.sendOk(this.report('ok', tool));
  }

  private *hotendTemp(cmd: ParsedCommand, wait: boolean, running: Running): CommandRun {
    const t = num(cmd, 'T');
    const heater = this.hotends[t ?? this.fw.motion.activeTool];
    if (!heater) {
      this.fw.sendLine(`echo:M${cmd.code ?? 104} Invalid extruder ${t ?? ''}`);
      return;
    }
    yield* this.heaterTemp(heater, cmd, wait, running);
  }

  private *heaterTemp(heater: Heater, cmd: ParsedCommand, wait: boolean, running: Running): CommandRun {
    const { s, r } = this.fw.dialect.targetParams(cmd, wait);
    const value = s ?? r;
    if (value === undefined) return;
    this.update();
    const overshoot = heater.kind === 'hotend' ? HOTEND_OVERSHOOT : BED_OVERSHOOT;
    heater.target = Math.max(0, Math.min(value, this.fw.options.maxTemp[heater.kind] - overshoot));
    if (!wait) return;
    const target = heater.target;
    const wantsToCool = heater.current > target;
    if (s !== undefined && wantsToCool) return;
    yield* this.heatWait(heater, target, running);
  }

  private *heatWait(heater: Heater, target: number, running: Running): CommandRun {
    const { options, clock, dialect } = this.fw;
    const window = options.tempWindow;
    const residency = dialect.residencySeconds(options);
    const goal = target > 0 ? target : this.ambientTemp;
    running.busyText = dialect.busyText('heating', options);
    this.waitCancelled = false;
    this.heatWaiting = true;
    let nextReport = clock.now();
    let residencyStart: number | null = null;
    try {
      for (;;) {
        this.update();
        const now = clock.now();
        if (this.waitCancelled) return;
        const within = Math.abs(heater.current - goal) <= window + 1e-9;
        if (residency > 0) {
          if (residencyStart === null && within) residencyStart = now;
          else if (residencyStart !== null && Math.abs(heater.current - goal) > 3) residencyStart = null;
        }
        if (now >= nextReport) {
          nextReport = now + 1000;
          let w: string | undefined;
          if (residency > 0) {
            w =
              residencyStart === null
                ? '?'
                : String(Math.max(0, Math.floor((residencyStart + residency * 1000 - now) / 1000)));
          }
          this.fw.sendLine(dialect.heatingReport(heater, this, this.fw.motion.activeTool, w));
        }
        if (residency > 0 ? residencyStart !== null && now - residencyStart >= residency * 1000 : within) return;
        let wake = nextReport;
        if (residency > 0 && residencyStart !== null) wake = Math.min(wake, residencyStart + residency * 1000);
        else {
          const t = heater.timeToWithin(goal, window);
          if (Number.isFinite(t)) wake = Math.min(wake, now + Math.max(1, Math.ceil(t * 1000 - 1e-6)));
        }
        yield wake;
      }
    } finally {
      this.heatWaiting = false;
      this.waitCancelled = false;
    }
  }
}
