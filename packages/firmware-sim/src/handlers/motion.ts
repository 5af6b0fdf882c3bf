import type { Firmware } from '../firmware.js';
import { num, type ParsedCommand } from '../gcode.js';
import type { CommandRun, Position, Running } from '../types.js';

const DEFAULT_FEEDRATE = 1500;

interface PlannerBlock {
  end: number;
  pos: Position;
}

/**
 * Motion and planner: position (commanded and at the steppers), the planner ring that makes moves take time,
 * feed and flow rates, tool selection. G0-G4, G28, G90-G92, M82/M83, M220/M221, M400, T.
 */
export class Motion {
  pos: Position = { x: 0, y: 0, z: 0, e: 0 };
  activeTool = 0;
  feedPercent = 100;
  private stepperPos: Position = { x: 0, y: 0, z: 0, e: 0 };
  private planner: PlannerBlock[] = [];
  private feedrate = DEFAULT_FEEDRATE;
  private flowPercent: number[] = [];
  private relative = false;
  private relativeE = false;

  constructor(private readonly fw: Firmware) {}

  init(extruders: number): void {
    this.pos = { x: 0, y: 0, z: 0, e: 0 };
    this.stepperPos = { x: 0, y: 0, z: 0, e: 0 };
    this.feedrate = DEFAULT_FEEDRATE;
    this.feedPercent = 100;
    this.flowPercent = Array.from({ length: extruders }, () => 100);
    this.relative = false;
    this.relativeE = false;
    this.activeTool = 0;
  }

  clearPlanner(): void {
    this.planner = [];
  }

  /** Moves in the planner (including the one being executed). */
  get plannedMoves(): number {
    this.prunePlanner();
    return this.planner.length;
  }

  /** Free planner blocks as ADVANCED_OK reports them (one slot always stays empty). */
  freeBlocks(): number {
    this.prunePlanner();
    return Math.max(0, this.fw.options.plannerBlocks - 1 - this.planner.length);
  }

  /** M410: drop the planned moves, the position is wherever the steppers are. */
  quickStop(): void {
    this.prunePlanner();
    this.planner = [];
    this.pos = { ...this.stepperPos };
    this.fw.loop.wakeRunning();
  }

  positionReport(): string {
    this.prunePlanner();
    return this.fw.dialect.positionReport(this.pos, this.stepperPos);
  }

  handle(cmd: ParsedCommand, running: Running): CommandRun | boolean {
    const code = cmd.code;
    if (code === null) return false;
    if (cmd.letter === 'G') return this.gcode(cmd, code, running);
    if (cmd.letter === 'T') {
      this.selectTool(code);
      return true;
    }
    if (cmd.letter !== 'M') return false;
    switch (code) {
      case 17:
      case 18:
      case 84:
        return true;
      case 82:
        this.relativeE = false;
        return true;
      case 83:
        this.relativeE = true;
        return true;
      case 114:
        this.fw.dialect.reportPosition(this.fw, running);
        return true;
      case 220: {
        const s = num(cmd, 'S');
        if (s !== undefined) this.feedPercent = Math.max(10, Math.min(999, Math.trunc(s)));
        else this.fw.sendLine(`echo:FR:${this.feedPercent}%`);
        return true;
      }
      case 221:
        this.flow(cmd);
        return true;
      case 400:
        return this.synchronize();
    }
    return false;
  }

  private gcode(cmd: ParsedCommand, code: number, running: Running): CommandRun | boolean {
    const stopped = this.fw.mode === 'stopped';
    switch (code) {
      case 0:
      case 1:
        return stopped || this.move(this.target(cmd), this.feedrate / 60);
      case 2:
      case 3:
        return stopped || this.arc(cmd, code === 2);
      case 4:
        return this.dwell(cmd, running);
      case 28:
        return this.home(cmd);
      case 90:
        this.relative = false;
        this.relativeE = false;
        return true;
      case 91:
        this.relative = true;
        this.relativeE = true;
        return true;
      case 92:
        for (const axis of ['x', 'y', 'z', 'e'] as const) {
          const v = num(cmd, axis.toUpperCase());
          if (v !== undefined) this.pos[axis] = v;
        }
        if (![...cmd.params.keys()].some((k) => 'XYZE'.includes(k))) this.pos = { x: 0, y: 0, z: 0, e: 0 };
        this.stepperPos = { ...this.pos };
        return true;
      case 20:
      case 21:
        return true;
    }
    return false;
  }

  private selectTool(code: number): void {
    if (code >= this.fw.thermal.hotends.length) {
      this.fw.sendLine(this.fw.dialect.invalidTool(code));
      return;
    }
    this.activeTool = code;
    this.fw.sendLine(this.fw.dialect.toolSelected(code));
  }

  private flow(cmd: ParsedCommand): void {
    const t = num(cmd, 'T') ?? this.activeTool;
    if (this.fw.thermal.hotends[t] === undefined) {
      this.fw.sendLine(`echo:M221 Invalid extruder ${t}`);
      return;
    }
    const s = num(cmd, 'S');
    if (s !== undefined) this.flowPercent[t] = Math.trunc(s);
    else this.fw.sendLine(`echo:E${t} Flow: ${this.flowPercent[t] ?? 100}%`);
  }

  private prunePlanner(): void {
    const now = this.fw.clock.now();
    while (this.planner.length > 0 && (this.planner[0]?.end ?? 0) <= now) {
      const block = this.planner.shift();
      if (block) this.stepperPos = { ...block.pos };
    }
  }

  /** Plans a move to `target`; waits (returns the run) only when the planner is full. */
  private move(target: Position, mmPerS: number): CommandRun | true {
    const from = this.pos;
    let dist = Math.hypot(target.x - from.x, target.y - from.y, target.z - from.z);
    if (dist === 0) dist = Math.abs(target.e - from.e);
    this.pos = { ...target };
    if (dist === 0) return true;
    const speed = Math.max(1e-6, mmPerS * (this.feedPercent / 100));
    const ms = (dist / speed) * 1000 * this.fw.options.moveTimeFactor;
    this.prunePlanner();
    if (this.planner.length >= this.fw.options.plannerBlocks - 1) return this.addBlock(ms, { ...target });
    this.pushBlock(ms, { ...target });
    return true;
  }

  private *planMove(target: Position, mmPerS: number): CommandRun {
    const run = this.move(target, mmPerS);
    if (run !== true) yield* run;
  }

  private *addBlock(ms: number, pos: Position): CommandRun {
    for (;;) {
      this.prunePlanner();
      if (this.planner.length < this.fw.options.plannerBlocks - 1) break;
      yield this.planner[0]?.end ?? this.fw.clock.now();
    }
    this.pushBlock(ms, pos);
  }

  private pushBlock(ms: number, pos: Position): void {
    const now = this.fw.clock.now();
    const last = this.planner[this.planner.length - 1];
    const startAt = last ? Math.max(now, last.end) : now;
    this.planner.push({ end: startAt + ms, pos });
  }

  /** Waits until every planned move has run (M400 and the commands that start with it). */
  *synchronize(): CommandRun {
    for (;;) {
      this.prunePlanner();
      const last = this.planner[this.planner.length - 1];
      if (!last) return;
      yield last.end;
    }
  }

  private targetFrom(cmd: ParsedCommand, axis: 'x' | 'y' | 'z' | 'e'): number {
    const v = num(cmd, axis.toUpperCase());
    if (v === undefined) return this.pos[axis];
    const rel = axis === 'e' ? this.relativeE : this.relative;
    return rel ? this.pos[axis] + v : v;
  }

  private target(cmd: ParsedCommand): Position {
    const f = num(cmd, 'F');
    if (f !== undefined && f > 0) this.feedrate = f;
    return {
      x: this.targetFrom(cmd, 'x'),
      y: this.targetFrom(cmd, 'y'),
      z: this.targetFrom(cmd, 'z'),
      e: this.targetFrom(cmd, 'e'),
    };
  }

  private *arc(cmd: ParsedCommand, clockwise: boolean): CommandRun {
    const start = { ...this.pos };
    const end = this.target(cmd);
    let cx: number;
    let cy: number;
    const r = num(cmd, 'R');
    if (r !== undefined) {
      const mx = (start.x + end.x) / 2;
      const my = (start.y + end.y) / 2;
      const dx = end.x - start.x;
      const dy = end.y - start.y;
      const d = Math.hypot(dx, dy);
      if (d === 0) return;
      const h = Math.sqrt(Math.max(0, r * r - (d / 2) ** 2));
      const sgn = (clockwise ? 1 : -1) * (r < 0 ? -1 : 1);
      cx = mx + (sgn * h * dy) / d;
      cy = my - (sgn * h * dx) / d;
    } else {
      cx = start.x + (num(cmd, 'I') ?? 0);
      cy = start.y + (num(cmd, 'J') ?? 0);
    }
    const radius = Math.hypot(start.x - cx, start.y - cy);
    const a0 = Math.atan2(start.y - cy, start.x - cx);
    let a1 = Math.atan2(end.y - cy, end.x - cx);
    if (clockwise) {
      if (a1 >= a0) a1 -= 2 * Math.PI;
    } else if (a1 <= a0) a1 += 2 * Math.PI;
    const sweep = a1 - a0;
    const length = Math.hypot(Math.abs(sweep) * radius, end.z - start.z);
    const segments = Math.max(1, Math.ceil(length / 1));
    for (let i = 1; i <= segments; i++) {
      const t = i / segments;
      const a = a0 + sweep * t;
      const p: Position =
        i === segments
          ? end
          : {
              x: cx + radius * Math.cos(a),
              y: cy + radius * Math.sin(a),
              z: start.z + (end.z - start.z) * t,
              e: start.e + (end.e - start.e) * t,
            };
      yield* this.planMove(p, this.feedrate / 60);
    }
  }

  private *dwell(cmd: ParsedCommand, running: Running): CommandRun {
    let ms = 0;
    const p = num(cmd, 'P');
    const s = num(cmd, 'S');
    if (p !== undefined) ms = p;
    if (s !== undefined) ms = s * 1000;
    yield* this.synchronize();
    running.busyText = this.fw.dialect.busyText('dwell', this.fw.options);
    const end = this.fw.clock.now() + ms;
    while (this.fw.clock.now() < end) yield end;
  }

  private *home(cmd: ParsedCommand): CommandRun {
    yield* this.synchronize();
    const axes = (['x', 'y', 'z'] as const).filter((a) => cmd.params.has(a.toUpperCase()));
    const home = axes.length > 0 ? axes : (['x', 'y', 'z'] as const);
    const dist = Math.max(0, ...home.map((a) => Math.abs(this.pos[a])));
    const end = this.fw.clock.now() + this.fw.dialect.homingMs(dist, this.fw.options);
    while (this.fw.clock.now() < end) yield end;
    for (const a of home) {
      this.pos[a] = 0;
      this.stepperPos[a] = 0;
    }
    if (this.fw.dialect.homingReportsPosition) this.fw.sendLine(this.positionReport());
  }
}
