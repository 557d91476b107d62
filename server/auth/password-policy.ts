/**
 * What a new password must be: at least 10 characters and not one of the ~49,000 most
 * common passwords (the list zxcvbn-ts ships), compared without case.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

let common: Set<string> | null = null;

/** Throws `invalid_password` with the reason when `password` may not be used. */
export function assertAcceptablePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('invalid_password', `password: must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new AppError('invalid_password', `password: must be at most ${MAX_PASSWORD_LENGTH} characters.`);
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  if (common.has(password.toLowerCase())) throw new AppError('invalid_password', 'password: this is one of the most common passwords; choose another.');
}
