import type { GcodeAnalysis } from './gcode-analyser.js';

/** What the analysis worker is started with. */
export interface AnalysisRequest {
  readonly file: string;
  readonly defaultFeedrate: number;
}

/** What it posts back once: the file's SHA-1 and analysis, or why it could not read the file. */
export type AnalysisOutcome = { hash: string; analysis: GcodeAnalysis } | { error: string };
