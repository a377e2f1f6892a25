/**
 * Whether this browser has signed in before: the sign-in screen says "Welcome back" only then, and
 * greets a first-time visitor as one.
 */
import { readJson, writeJson } from './storage';

const KEY = 'cookim.returning';

export function rememberSignIn(): void {
  writeJson(KEY, true);
}

export function isReturningVisitor(): boolean {
  return readJson<boolean>(KEY, false) === true;
}
