/** The last `capacity` terminal lines, for `history`: a ring, so a busy printer costs O(1) per line. */
export class TerminalRing {
  private readonly slots: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    if (this.slots.length < this.capacity) this.slots.push(line);
    else this.slots[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  lines(): string[] {
    if (this.slots.length < this.capacity) return [...this.slots];
    return [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)];
  }
}
