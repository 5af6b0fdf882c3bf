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

const CODE_0 = 0x30;
const CODE_9 = 0x39;
const CODE_A = 0x41;
const CODE_Z = 0x5a;
const CODE_G = 0x47;
const CODE_M = 0x4d;
const CODE_T = 0x54;
const CODE_DOT = 0x2e;
const CODE_PLUS = 0x2b;
const CODE_SEMICOLON = 0x3b;
const CODE_MINUS = 0x2d;
/** Powers of ten that are exact doubles: a decimal of up to 15 digits divided by one is rounded once, as Number(). */
const POW10 = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/** What `\\s` and `trim()` treat as blank within latin1. */
const isSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0;
const isDigit = (code: number): boolean => code >= CODE_0 && code <= CODE_9;

/**
 * The parameters of one command: the first value of each upper-case letter (case-sensitive, as OctoPrint). Read
 * straight from the line's characters into a reused array, so analysing a line allocates nothing.
 */
export class Parameters {
  private readonly values = new Float64Array(26);
  private seen = 0;

  get size(): number {
    let count = 0;
    for (let bits = this.seen; bits !== 0; bits &= bits - 1) count += 1;
    return count;
  }

  has(letter: string): boolean {
    return (this.seen & (1 << (letter.charCodeAt(0) - CODE_A))) !== 0;
  }

  get(letter: string): number | undefined {
    const index = letter.charCodeAt(0) - CODE_A;
    return (this.seen & (1 << index)) === 0 ? undefined : this.values[index];
  }

  /**
   * Reads `text[start, end)` as OctoPrint's `([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))` matched globally: a letter
   * anywhere, optional blanks, a signed decimal.
   */
  read(text: string, start: number, end: number): void {
    this.seen = 0;
    let index = start;
    while (index < end) {
      const letter = text.charCodeAt(index);
      index += 1;
      if (letter < CODE_A || letter > CODE_Z) continue;
      let cursor = index;
      while (cursor < end && isSpace(text.charCodeAt(cursor))) cursor += 1;
      const numberStart = cursor;
      let sign = 1;
      const first = text.charCodeAt(cursor);
      if (first === CODE_MINUS || first === CODE_PLUS) {
        if (first === CODE_MINUS) sign = -1;
        cursor += 1;
      }
      let mantissa = 0;
      let digits = 0;
      let decimals = 0;
      while (cursor < end && isDigit(text.charCodeAt(cursor))) {
        mantissa = mantissa * 10 + (text.charCodeAt(cursor) - CODE_0);
        digits += 1;
        cursor += 1;
      }
      if (cursor < end && text.charCodeAt(cursor) === CODE_DOT) {
        const afterDot = cursor + 1;
        let fraction = afterDot;
        while (fraction < end && isDigit(text.charCodeAt(fraction))) {
          mantissa = mantissa * 10 + (text.charCodeAt(fraction) - CODE_0);
          fraction += 1;
        }
        decimals = fraction - afterDot;
        // `5.` is a number; a lone `.` is not.
        if (digits > 0 || decimals > 0) cursor = fraction;
        digits += decimals;
      }
      if (digits === 0) continue;
      index = cursor;
      const bit = 1 << (letter - CODE_A);
      if ((this.seen & bit) !== 0) continue;
      this.seen |= bit;
      this.values[letter - CODE_A] =
        digits <= 15 ? (sign * mantissa) / (POW10[decimals] ?? 1) : Number(text.slice(numberStart, cursor));
    }
  }
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

  private readonly parameters = new Parameters();

  line(raw: string): void {
    this.scan(raw, 0, raw.length);
  }

  /** One line given as `text[start, end)` (no terminator), so a caller reading big chunks never slices lines. */
  scan(text: string, start: number, end: number): void {
    // Searched within the line only: `indexOf` would run on through the rest of a big chunk.
    for (let index = start; index < end; index += 1) {
      if (text.charCodeAt(index) !== CODE_SEMICOLON) continue;
      if (this.diameter === 0) this.readDiameter(text.slice(index, end));
      end = index;
      break;
    }
    while (start < end && isSpace(text.charCodeAt(start))) start += 1;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end -= 1;
    if (start === end) return;
    const letter = text.charCodeAt(start);
    if (letter !== CODE_G && letter !== CODE_M && letter !== CODE_T) return;
    let cursor = start + 1;
    let number = 0;
    while (cursor < end && isDigit(text.charCodeAt(cursor))) {
      number = number * 10 + (text.charCodeAt(cursor) - CODE_0);
      cursor += 1;
    }
    if (cursor === start + 1) return;
    if (letter === CODE_T) {
      if (number < MAX_TOOLS) this.selectTool(number);
      return;
    }
    this.parameters.read(text, cursor, end);
    if (letter === CODE_G) this.gcode(number, this.parameters);
    else this.mcode(number, this.parameters);
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

  private gcode(number: number, p: Parameters): void {
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

  private mcode(number: number, p: Parameters): void {
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

  private target(p: Parameters, axis: 'X' | 'Y' | 'Z', current: number): number {
    const value = p.get(axis);
    if (value === undefined) return current;
    return this.relative ? current + value * this.scale : value * this.scale;
  }

  /** Applies F and E of a move and returns |ΔE|; counts extrusion per tool (the maximum, so retracts cancel out). */
  private extrude(p: Parameters): number {
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

  private move(p: Parameters): void {
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

  private arc(p: Parameters, clockwise: boolean): void {
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
