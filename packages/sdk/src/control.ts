import type { Http } from './http.js';
import type { CustomControls } from './types.js';

/** Placeholder values for `sendGcodeWithParameters` (`%(name)s` in the lines). */
export type GcodeParameters = Record<string, string | number | boolean>;

/** `/api/printer/command`: OctoPrint's `OctoPrint.control` component (G-code scripts are not offered). */
export class ControlApi {
  constructor(private readonly http: Http) {}

  /** The configured custom controls (needs CONTROL). */
  getCustomControls(): Promise<CustomControls> {
    return this.http.get('/api/printer/command/custom');
  }

  /** Sends G-code lines as written, in order. A single string is one line. */
  sendGcode(commands: string | string[]): Promise<void> {
    return this.sendGcodeWithParameters(commands, {});
  }

  /** Sends G-code lines after filling `%(name)s` placeholders from `parameters` (`%%` is a literal %). */
  sendGcodeWithParameters(commands: string | string[], parameters: GcodeParameters): Promise<void> {
    return this.http.post('/api/printer/command', {
      commands: typeof commands === 'string' ? [commands] : commands,
      parameters,
    });
  }
}
