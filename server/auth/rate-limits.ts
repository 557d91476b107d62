/**
 * Limits on what costs an scrypt or invites guessing: failed logins per account and per
 * address, sign-ups per address, password checks per account. In memory, per process;
 * rate-limiter-flexible has Postgres and Redis stores for when several processes share
 * the load.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

export interface RateLimitSettings {
  /** Failed logins per account per 15 minutes (default 10). */
  loginFailuresPerAccount: number;
  /** Failed logins per IP address per 15 minutes (default 100). */
  loginFailuresPerIp: number;
  /** Sign-ups per IP address per hour (default 30). */
  signupsPerIp: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { loginFailuresPerAccount: 10, loginFailuresPerIp: 100, signupsPerIp: 30 };

export class AuthRateLimits {
  private readonly failuresByAccount: RateLimiterMemory;
  private readonly failuresByIp: RateLimiterMemory;
  private readonly signupsByIp: RateLimiterMemory;

  constructor(settings: RateLimitSettings = DEFAULT_RATE_LIMITS) {
    this.failuresByAccount = new RateLimiterMemory({ keyPrefix: 'login-account', points: settings.loginFailuresPerAccount, duration: 15 * 60 });
    this.failuresByIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: settings.loginFailuresPerIp, duration: 15 * 60 });
    this.signupsByIp = new RateLimiterMemory({ keyPrefix: 'signup-ip', points: settings.signupsPerIp, duration: 60 * 60 });
  }

  /** Before checking a password for `account` from `ip`: refuse when either has failed too often. */
  async beforePasswordCheck(account: string, ip: string): Promise<void> {
    const [a, i] = await Promise.all([this.failuresByAccount.get(account.toLowerCase()), this.failuresByIp.get(ip)]);
    const blocked = [a, i].filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0);
    if (blocked.length > 0) throw tooMany(Math.max(...blocked.map((r) => r.msBeforeNext)), 'Too many failed attempts; try again later.');
  }

  /** A password check for `account` from `ip` failed. */
  async failed(account: string, ip: string): Promise<void> {
    await Promise.all([this.failuresByAccount.penalty(account.toLowerCase(), 1), this.failuresByIp.penalty(ip, 1)]);
  }

  /** Count a sign-up from `ip`; refuses past the hourly limit. */
  async signup(ip: string): Promise<void> {
    try {
      await this.signupsByIp.consume(ip);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw tooMany(res.msBeforeNext, 'Too many sign-ups from this address; try again later.');
      throw res;
    }
  }
}

function tooMany(ms: number, message: string): AppError {
  return new AppError('rate_limited', message, Math.ceil(ms / 1000));
}
