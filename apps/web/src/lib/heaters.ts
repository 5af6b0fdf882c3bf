/** "tool0" → "Hotend" (or "Tool 1" when there are several), "bed" → "Bed". */
export function heaterLabel(name: string, toolCount: number): string {
  if (name === 'bed') return 'Bed';
  if (name === 'chamber') return 'Chamber';
  const tool = /^tool(\d+)$/.exec(name);
  if (tool !== null) return toolCount <= 1 ? 'Hotend' : `Tool ${Number(tool[1]) + 1}`;
  return name;
}

/** Chart colours per heater; the target line uses the same colour, dashed. */
const COLOURS: Record<string, string> = {
  tool0: '#f97316',
  tool1: '#a855f7',
  tool2: '#ec4899',
  tool3: '#eab308',
  bed: '#3b82f6',
  chamber: '#10b981',
};

export function heaterColour(name: string): string {
  return COLOURS[name] ?? '#64748b';
}

/** Presets offered next to each target field, in °C (0 is "off"). */
export function heaterPresets(name: string): readonly { label: string; value: number }[] {
  if (name === 'bed')
    return [
      { label: 'PLA 60', value: 60 },
      { label: 'PETG 80', value: 80 },
      { label: 'ABS 100', value: 100 },
    ];
  if (name === 'chamber') return [{ label: 'ABS 45', value: 45 }];
  return [
    { label: 'PLA 210', value: 210 },
    { label: 'PETG 240', value: 240 },
    { label: 'ABS 250', value: 250 },
  ];
}
