export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  /** Styles the confirm button as destructive. */
  readonly danger?: boolean;
}

interface Pending extends ConfirmRequest {
  resolve(confirmed: boolean): void;
}

/** One confirmation dialog at a time; `ask` resolves true when the person confirms. */
class Confirmations {
  pending = $state<Pending | null>(null);

  ask(request: ConfirmRequest): Promise<boolean> {
    this.pending?.resolve(false);
    return new Promise((resolve) => {
      this.pending = { ...request, resolve };
    });
  }

  answer(confirmed: boolean): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(confirmed);
  }
}

export const confirmations = new Confirmations();
