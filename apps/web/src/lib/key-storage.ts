const STORAGE_KEY = 'hotend.apiKey';

/** The API key, kept in localStorage so a reload stays signed in (the page never sends it anywhere but the API). */
export const keyStorage = {
  load(): string | null {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  },
  save(key: string): void {
    localStorage.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    localStorage.removeItem(STORAGE_KEY);
  },
};
