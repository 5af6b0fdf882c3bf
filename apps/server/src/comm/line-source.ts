/**
 * A source of G-code lines the transmitter sends whenever no queued command waits, one line at a time and only when
 * that line can go out (flow control, RX bytes), so a source never has to buffer: a print job streams its file
 * through one. Lines must be ready to send: comments stripped, not empty, not longer than MAX_COMMAND_BYTES.
 */
export interface LineSource {
  /** The next line, or undefined when there is none right now (call `Transmitter.pump()` once there is). */
  nextLine(): string | undefined;
  /** The firmware accepted `line`; called once per line, in order. */
  accepted?(line: string): void;
}

/** The sources attached to a transmitter, asked in the order they were added. */
export class LineSources {
  private readonly sources: LineSource[] = [];

  add(source: LineSource): () => void {
    this.sources.push(source);
    return () => {
      const index = this.sources.indexOf(source);
      if (index >= 0) this.sources.splice(index, 1);
    };
  }

  next(): { text: string; source: LineSource } | undefined {
    for (const source of this.sources) {
      const text = source.nextLine();
      if (text !== undefined) return { text, source };
    }
    return undefined;
  }
}
