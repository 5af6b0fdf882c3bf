/**
 * The terminal's sent commands, walked with the arrow keys like a shell: Up goes back, Down forward, and
 * past the newest entry the line being typed comes back.
 */
export class CommandHistory {
  private entries: string[] = [];
  private position = 0;
  private draft = '';

  constructor(private readonly limit = 100) {}

  get size(): number {
    return this.entries.length;
  }

  /** Records a sent command (not an immediate repeat of the last one) and resets the walk. */
  push(command: string): void {
    const line = command.trim();
    if (line !== '' && this.entries.at(-1) !== line) this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.position = this.entries.length;
    this.draft = '';
  }

  /** The entry before the current one; `current` is kept as the draft when leaving the newest position. */
  previous(current: string): string {
    if (this.position === this.entries.length) this.draft = current;
    if (this.position > 0) this.position -= 1;
    return this.entries[this.position] ?? current;
  }

  next(): string {
    if (this.position < this.entries.length) this.position += 1;
    return this.position === this.entries.length ? this.draft : (this.entries[this.position] ?? this.draft);
  }
}
