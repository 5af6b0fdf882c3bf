import type { HotendClient } from '@hotend/sdk';

/** Sets a heater's target through the endpoint that owns it (tools, bed or chamber). */
export function setHeaterTarget(client: HotendClient, heater: string, target: number): Promise<void> {
  if (heater === 'bed') return client.printer.setBedTargetTemperature(target);
  if (heater === 'chamber') return client.printer.setChamberTargetTemperature(target);
  return client.printer.setToolTargetTemperatures({ [heater]: target });
}

/** Sets a heater's host-side offset (Hotend adds it to targets it sends; no G-code of its own). */
export function setHeaterOffset(client: HotendClient, heater: string, offset: number): Promise<void> {
  if (heater === 'bed') return client.printer.setBedTemperatureOffset(offset);
  if (heater === 'chamber') return client.printer.setChamberTemperatureOffset(offset);
  return client.printer.setToolTemperatureOffsets({ [heater]: offset });
}
