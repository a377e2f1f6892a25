import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { Limits } from '../protocol/schemas';

/** zxcvbn's score (0-4) a new password must reach: 2 is "somewhat guessable" (about 10^8 guesses). */
const MIN_SCORE = 2;

let checker: Promise<ZxcvbnFactory> | undefined;

/** The dictionaries are a few MB: loaded on the first password set, once per process. */
function loadChecker(): Promise<ZxcvbnFactory> {
  checker ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary },
      graphs: common.adjacencyGraphs,
      useLevenshteinDistance: true,
    });
  })();
  checker.catch(() => {
    checker = undefined;
  });
  return checker;
}

/** What the account is known by: a password built from these is refused. */
export interface PasswordContext {
  login?: string;
  nickname?: string;
}

function sameText(a: string, b: string | undefined): boolean {
  if (!b) return false;
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
  return norm(a) === norm(b);
}

/**
 * Why `password` is too weak for a new password, or null when it will do: too short, only
 * whitespace, one repeated character, the login or nickname itself, or guessable (a common
 * password, a keyboard walk, a date...) as measured by zxcvbn with the common dictionaries.
 */
export async function passwordWeakness(password: string, context: PasswordContext = {}): Promise<string | null> {
  if ([...password].length < Limits.passwordMin) return `a password needs at least ${Limits.passwordMin} characters`;
  if (password.trim().length === 0) return 'a password cannot be only spaces';
  if (new Set(password).size === 1) return 'a password cannot be one character repeated';
  const localPart = context.login?.split('@')[0];
  if (sameText(password, context.login) || sameText(password, localPart) || sameText(password, context.nickname)) {
    return 'a password cannot be your email or nickname';
  }
  const inputs = [context.login, localPart, context.nickname].filter((s): s is string => !!s);
  const result = (await loadChecker()).check(password, inputs);
  if (result.score >= MIN_SCORE) return null;
  const matched = result.sequence.map((m) => m.pattern);
  if (result.sequence.some((m) => 'dictionaryName' in m && m.dictionaryName === 'userInputs')) {
    return 'this password is too close to your email or nickname';
  }
  if (matched.includes('dictionary')) return 'this password is too common; add a few uncommon words';
  if (matched.some((p) => p === 'spatial' || p === 'sequence' || p === 'repeat')) {
    return 'this password follows an easy pattern (keyboard rows, sequences, repeats); use a few uncommon words';
  }
  return 'this password is too easy to guess; make it longer, for example a few uncommon words';
}
