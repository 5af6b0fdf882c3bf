export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  /** Styles the confirm button as destructive. */
  readonly danger?: boolean;
}

/** A question that also takes a line of text (a new name, a destination). */
export interface PromptRequest extends ConfirmRequest {
  readonly input: { readonly label: string; readonly value: string };
}

interface Pending extends ConfirmRequest {
  readonly input?: PromptRequest['input'];
  /** The text being edited (prompts only). */
  value: string;
  resolve(answer: string | null): void;
}

/** One dialog at a time: `ask` resolves true when the person confirms, `prompt` with the text they confirmed. */
class Confirmations {
  pending = $state<Pending | null>(null);

  async ask(request: ConfirmRequest): Promise<boolean> {
    return (await this.open(request)) !== null;
  }

  /** Resolves with the entered text, or null when cancelled. */
  prompt(request: PromptRequest): Promise<string | null> {
    return this.open(request);
  }

  answer(confirmed: boolean): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(confirmed ? pending.value : null);
  }

  private open(request: ConfirmRequest & { input?: PromptRequest['input'] }): Promise<string | null> {
    this.pending?.resolve(null);
    return new Promise((resolve) => {
      this.pending = { ...request, value: request.input?.value ?? '', resolve };
    });
  }
}

export const confirmations = new Confirmations();
