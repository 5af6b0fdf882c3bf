/** OctoPrint's custom control format, read defensively: the server serves `printerProfile.controls` as written. */

export interface ControlInput {
  readonly name: string;
  readonly parameter: string;
  readonly default: string | number | boolean;
  readonly slider?: { readonly min: number; readonly max: number; readonly step: number };
}

export interface CommandControl {
  readonly kind: 'command';
  readonly name: string;
  readonly commands: readonly string[];
  readonly inputs: readonly ControlInput[];
  readonly confirm?: string;
}

export interface ControlContainer {
  readonly kind: 'container';
  readonly name?: string;
  readonly layout: 'vertical' | 'horizontal';
  readonly children: readonly CustomControl[];
}

export type CustomControl = CommandControl | ControlContainer;

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseInput(raw: unknown): ControlInput | null {
  if (!isRecord(raw)) return null;
  const parameter = text(raw['parameter']);
  if (parameter === undefined) return null;
  const fallback = raw['default'];
  const slider = isRecord(raw['slider']) ? raw['slider'] : undefined;
  return {
    name: text(raw['name']) ?? parameter,
    parameter,
    default:
      typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean' ? fallback : '',
    ...(slider === undefined
      ? {}
      : {
          slider: {
            min: Number(slider['min'] ?? 0),
            max: Number(slider['max'] ?? 255),
            step: Number(slider['step'] ?? 1),
          },
        }),
  };
}

/** One control; null for what the page cannot run (G-code scripts, feedback-only entries, malformed ones). */
export function parseControl(raw: unknown): CustomControl | null {
  if (!isRecord(raw)) return null;
  if (Array.isArray(raw['children'])) {
    const children = raw['children'].map(parseControl).filter((child) => child !== null);
    if (children.length === 0) return null;
    const name = text(raw['name']);
    return {
      kind: 'container',
      ...(name === undefined ? {} : { name }),
      layout: text(raw['layout'])?.startsWith('horizontal') === true ? 'horizontal' : 'vertical',
      children,
    };
  }
  const commands = Array.isArray(raw['commands'])
    ? raw['commands'].filter((line): line is string => typeof line === 'string')
    : typeof raw['command'] === 'string'
      ? [raw['command']]
      : [];
  if (commands.length === 0) return null;
  const inputs = Array.isArray(raw['input']) ? raw['input'].map(parseInput).filter((input) => input !== null) : [];
  const confirm = text(raw['confirm']);
  return {
    kind: 'command',
    name: text(raw['name']) ?? commands.join('; '),
    commands,
    inputs,
    ...(confirm === undefined ? {} : { confirm }),
  };
}

export function parseControls(raw: readonly unknown[]): CustomControl[] {
  return raw.map(parseControl).filter((control) => control !== null);
}
