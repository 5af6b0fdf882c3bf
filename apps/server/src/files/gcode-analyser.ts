// G-code analysis as OctoPrint's gcodeInterpreter reports it (spec octoprint-files-jobs §2.4). Fed one line at a
// time, so a file of any size is analysed in constant memory.

export interface Area {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  minZ: number;
  maxZ: number;
}

export interface Dimensions {
  width: number;
  depth: number;
  height: number;
}

export interface ToolFilament {
  length: number;
  volume: number;
}

/** `gcodeAnalysis` of a file entry; `_empty` when the file extrudes nothing (OctoPrint lets it leak into the API). */
export interface GcodeAnalysis {
  estimatedPrintTime?: number;
  filament: Record<string, ToolFilament>;
  dimensions: Dimensions;
  printingArea: Area;
  travelDimensions: Dimensions;
  travelArea: Area;
  _empty?: true;
}

export interface AnalyserOptions {
  /** Feedrate before the file sets one: the slower of the profile's X and Y speeds (mm/min). */
  readonly defaultFeedrate?: number;
}

const MAX_TOOLS = 10;
const INCH = 25.4;
const DIAMETER_PATTERNS: readonly RegExp[] = [
  /filament_diameter\s*[=:]\s*([\d.]+)/, // PrusaSlicer `= 1.75`, Orca/Bambu `: 1.75,1.75`
  /filamentDiameter,\s*([\d.]+)/, // Simplify3D
  /material_diameter\s*=\s*([\d.]+)/, // Cura profile string
];

class Bounds {
  private area: Area | undefined;

  include(x: number, y: number, z: number): void {
    if (this.area === undefined) {
      // Z is measured from the bed (bedZ 0), so a file printing above it still counts from 0.
      this.area = { minX: x, maxX: x, minY: y, maxY: y, minZ: Math.min(z, 0), maxZ: Math.max(z, 0) };
      return;
    }
    const area = this.area;
    area.minX = Math.min(area.minX, x);
    area.maxX = Math.max(area.maxX, x);
    area.minY = Math.min(area.minY, y);
    area.maxY = Math.max(area.maxY, y);
    area.minZ = Math.min(area.minZ, z);
    area.maxZ = Math.max(area.maxZ, z);
  }

  get value(): Area {
    return this.area ?? { minX: 0, maxX: 0, minY: 0, maxY: 0, minZ: 0, maxZ: 0 };
  }
}

const dimensionsOf = (area: Area): Dimensions => ({
  width: area.maxX - area.minX,
  depth: area.maxY - area.minY,
  height: area.maxZ - area.minZ,
});

/** The first occurrence of each upper-case parameter letter with a number (case-sensitive, as OctoPrint). */
function parametersOf(code: string): Map<string, number> {
  const parameters = new Map<string, number>();
  for (const match of code.matchAll(/([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))/g)) {
    const [, letter = '', value = ''] = match;
    if (!parameters.has(letter)) parameters.set(letter, Number(value));
  }
  return parameters;
}

export class GcodeAnalyser {
  private x = 0;
  private y = 0;
  private z = 0;
  private readonly e: number[] = [0];
  private readonly extruded: number[] = [0];
  private readonly maxExtruded: number[] = [0];
  private tool = 0;
  private feedrate: number;
  private scale = 1;
  private relative = false;
  private relativeE = false;
  private minutes = 0;
  private diameter = 0;
  private retractLength = 3;
  private retractSpeed = 2400;
  private recoverSpeed = 2400;
  private readonly travel = new Bounds();
  private readonly printing = new Bounds();

  constructor(options: AnalyserOptions = {}) {
    this.feedrate = options.defaultFeedrate || 2000;
  }

  line(raw: string): void {
    const semicolon = raw.indexOf(';');
    if (semicolon !== -1) {
      if (this.diameter === 0) this.readDiameter(raw.slice(semicolon));
      raw = raw.slice(0, semicolon);
    }
    const code = raw.trim();
    if (code === '') return;
    const command = /^([GMT])(\d+)/.exec(code);
    if (command === null) return;
    const [, letter, numberText = ''] = command;
    const number = Number(numberText);
    if (letter === 'T') {
      if (number < MAX_TOOLS) this.selectTool(number);
      return;
    }
    const parameters = parametersOf(code.slice(command[0].length));
    if (letter === 'G') this.gcode(number, parameters);
    else this.mcode(number, parameters);
  }

  result(): GcodeAnalysis {
    const printingArea = this.printing.value;
    const travelArea = this.travel.value;
    const filament: Record<string, ToolFilament> = {};
    this.maxExtruded.forEach((length, tool) => {
      if (length > 0) {
        filament[`tool${tool}`] = { length, volume: (length * Math.PI * (this.diameter / 2) ** 2) / 1000 };
      }
    });
    const seconds = this.minutes * 60;
    return {
      ...(seconds > 0 ? { estimatedPrintTime: seconds } : {}),
      filament,
      dimensions: dimensionsOf(printingArea),
      printingArea,
      travelDimensions: dimensionsOf(travelArea),
      travelArea,
      ...(Object.keys(filament).length === 0 ? { _empty: true as const } : {}),
    };
  }

  private readDiameter(comment: string): void {
    for (const pattern of DIAMETER_PATTERNS) {
      const match = pattern.exec(comment);
      if (match?.[1] !== undefined && Number(match[1]) > 0) {
        this.diameter = Number(match[1]);
        return;
      }
    }
  }

  private selectTool(tool: number): void {
    while (this.e.length <= tool) {
      this.e.push(0);
      this.extruded.push(0);
      this.maxExtruded.push(0);
    }
    this.tool = tool;
  }

  private gcode(number: number, p: Map<string, number>): void {
    switch (number) {
      case 0:
      case 1:
        this.move(p);
        return;
      case 2:
      case 3:
        this.arc(p, number === 2);
        return;
      case 4:
        this.minutes += (p.get('S') ?? 0) / 60 + (p.get('P') ?? 0) / 60_000;
        return;
      case 10:
        this.minutes += this.retractLength / this.retractSpeed;
        return;
      case 11:
        this.minutes += this.retractLength / this.recoverSpeed;
        return;
      case 20:
        this.scale = INCH;
        return;
      case 21:
        this.scale = 1;
        return;
      case 28: {
        const all = !p.has('X') && !p.has('Y') && !p.has('Z');
        if (all || p.has('X')) this.x = 0;
        if (all || p.has('Y')) this.y = 0;
        if (all || p.has('Z')) this.z = 0;
        return;
      }
      case 90:
        this.relative = false;
        return;
      case 91:
        this.relative = true;
        return;
      case 92: {
        const none = p.size === 0;
        if (none || p.has('X')) this.x = (p.get('X') ?? 0) * this.scale;
        if (none || p.has('Y')) this.y = (p.get('Y') ?? 0) * this.scale;
        if (none || p.has('Z')) this.z = (p.get('Z') ?? 0) * this.scale;
        if (none || p.has('E')) this.e[this.tool] = (p.get('E') ?? 0) * this.scale;
        return;
      }
      default:
    }
  }

  private mcode(number: number, p: Map<string, number>): void {
    if (number === 82) this.relativeE = false;
    else if (number === 83) this.relativeE = true;
    else if (number === 207) {
      this.retractLength = p.get('S') ?? this.retractLength;
      const speed = p.get('F');
      if (speed !== undefined && speed > 0) this.retractSpeed = speed;
    } else if (number === 208) {
      const speed = p.get('F');
      if (speed !== undefined && speed > 0) this.recoverSpeed = speed;
    }
  }

  private target(p: Map<string, number>, axis: 'X' | 'Y' | 'Z', current: number): number {
    const value = p.get(axis);
    if (value === undefined) return current;
    return this.relative ? current + value * this.scale : value * this.scale;
  }

  /** Applies F and E of a move and returns |ΔE|; counts extrusion per tool (the maximum, so retracts cancel out). */
  private extrude(p: Map<string, number>): number {
    const feedrate = p.get('F');
    if (feedrate !== undefined && feedrate > 0) this.feedrate = feedrate * this.scale;
    const value = p.get('E');
    if (value === undefined) return 0;
    const before = this.e[this.tool] ?? 0;
    const after = this.relativeE ? before + value * this.scale : value * this.scale;
    const delta = after - before;
    this.e[this.tool] = after;
    const total = (this.extruded[this.tool] ?? 0) + delta;
    this.extruded[this.tool] = total;
    this.maxExtruded[this.tool] = Math.max(this.maxExtruded[this.tool] ?? 0, total);
    return delta;
  }

  private move(p: Map<string, number>): void {
    const x = this.target(p, 'X', this.x);
    const y = this.target(p, 'Y', this.y);
    const z = this.target(p, 'Z', this.z);
    const delta = this.extrude(p);
    const distance = Math.hypot(x - this.x, y - this.y, z - this.z);
    this.minutes += Math.max(distance, Math.abs(delta)) / this.feedrate;
    if (p.has('X') || p.has('Y') || p.has('Z')) {
      this.travel.include(this.x, this.y, this.z);
      this.travel.include(x, y, z);
      if (delta > 0) {
        this.printing.include(this.x, this.y, this.z);
        this.printing.include(x, y, z);
      }
    }
    this.x = x;
    this.y = y;
    this.z = z;
  }

  private arc(p: Map<string, number>, clockwise: boolean): void {
    const x = this.target(p, 'X', this.x);
    const y = this.target(p, 'Y', this.y);
    const z = this.target(p, 'Z', this.z);
    const centerX = this.x + (p.get('I') ?? 0) * this.scale;
    const centerY = this.y + (p.get('J') ?? 0) * this.scale;
    const radius = Math.hypot(this.x - centerX, this.y - centerY);
    const start = Math.atan2(this.y - centerY, this.x - centerX);
    let end = Math.atan2(y - centerY, x - centerX);
    // Sweep in the arc's direction; equal start and end points are a full circle.
    if (clockwise) {
      if (end >= start) end -= 2 * Math.PI;
    } else if (end <= start) end += 2 * Math.PI;
    const sweep = Math.abs(end - start);
    const delta = this.extrude(p);
    const length = Math.hypot(z - this.z, sweep * radius);
    this.minutes += Math.max(length, Math.abs(delta)) / this.feedrate;
    const points: [number, number][] = [
      [this.x, this.y],
      [x, y],
    ];
    // The circle's extremes that the sweep passes (multiples of 90°).
    const low = Math.min(start, end);
    const high = Math.max(start, end);
    for (let quarter = Math.ceil(low / (Math.PI / 2)); quarter * (Math.PI / 2) <= high; quarter += 1) {
      const angle = quarter * (Math.PI / 2);
      points.push([centerX + radius * Math.cos(angle), centerY + radius * Math.sin(angle)]);
    }
    for (const [px, py] of points) {
      this.travel.include(px, py, this.z);
      this.travel.include(px, py, z);
      if (delta > 0) {
        this.printing.include(px, py, this.z);
        this.printing.include(px, py, z);
      }
    }
    this.x = x;
    this.y = y;
    this.z = z;
  }
}
