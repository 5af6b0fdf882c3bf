import { HotendClient, type CurrentUser } from '@hotend/sdk';
import { messageOf } from './errors';

export interface SignedIn {
  readonly client: HotendClient;
  readonly user: CurrentUser & { name: string };
}

/** Why a key cannot be used, in words for the sign-in form. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/**
 * Checks a key with `GET /api/currentuser`, which answers for any key: an unknown key comes back as the
 * anonymous guest (no name), a known one with its effective permissions.
 */
export async function signIn(baseUrl: string, apiKey: string): Promise<SignedIn> {
  const key = apiKey.trim();
  if (key === '') throw new SignInError('Enter an API key.');
  const client = new HotendClient({ baseUrl, apiKey: key, timeout: 15_000 });
  let user: CurrentUser;
  try {
    user = await client.currentUser.get();
  } catch (error) {
    throw new SignInError(`Could not reach Hotend: ${messageOf(error)}`);
  }
  if (user.name === null) throw new SignInError('This API key is not valid. Check it in config.yaml (api.keys).');
  if (user.permissions.length === 0)
    throw new SignInError(`The key "${user.name}" has no permissions. Give it some in config.yaml (api.keys).`);
  return { client, user: { ...user, name: user.name } };
}
