import type { Permission } from '@hotend/sdk';
import { keyStorage } from './key-storage';
import { signIn, type SignedIn, SignInError } from './sign-in';

/** Who is signed in, with which permissions; the page shows only what these allow. */
class Session {
  current = $state<SignedIn | null>(null);
  /** True while a stored key is being checked on load. */
  restoring = $state(true);
  /** Why the last sign-in failed, for the form. */
  error = $state<string | null>(null);

  get permissions(): readonly Permission[] {
    return this.current?.user.permissions ?? [];
  }

  can(permission: Permission): boolean {
    return this.permissions.includes(permission);
  }

  async restore(baseUrl: string): Promise<void> {
    const key = keyStorage.load();
    if (key !== null) await this.signIn(baseUrl, key, false);
    this.restoring = false;
  }

  async signIn(baseUrl: string, key: string, remember = true): Promise<boolean> {
    try {
      this.current = await signIn(baseUrl, key);
      this.error = null;
      if (remember) keyStorage.save(key.trim());
      return true;
    } catch (error) {
      this.error = error instanceof SignInError ? error.message : String(error);
      return false;
    }
  }

  signOut(): void {
    keyStorage.clear();
    this.current = null;
  }
}

export const session = new Session();
