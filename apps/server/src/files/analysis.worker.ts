// Runs in a worker thread: one file's hash and G-code analysis, read as a stream, so neither the HTTP server's
// event loop nor the comm ever waits for it and memory stays bounded for a file of any size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type AnalysisRequest, type AnalysisOutcome } from './analysis.protocol.js';
import { GcodeAnalyser } from './gcode-analyser.js';

async function analyse(request: AnalysisRequest): Promise<AnalysisOutcome> {
  const hash = createHash('sha1');
  const analyser = new GcodeAnalyser({ defaultFeedrate: request.defaultFeedrate });
  let rest = '';
  // latin1 keeps one character per byte: G-code words are ASCII, and comments are only searched for ASCII keys.
  for await (const chunk of createReadStream(request.file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const text = rest + chunk.toString('latin1');
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      analyser.scan(text, start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') analyser.line(rest);
  return { hash: hash.digest('hex'), analysis: analyser.result() };
}

analyse(workerData as AnalysisRequest).then(
  (outcome) => parentPort?.postMessage(outcome),
  (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
