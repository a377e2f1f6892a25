/**
 * The people of a browser test suite: each has a fresh account from the start (the tests register
 * it, through the screens or not) and, from the suite's `before` on, a page of their own on their
 * device, in one Chromium against one app server (useServerAndBrowser).
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { desktop, openUser, useServerAndBrowser, type UserPage } from './browser';
import type { RunningServer } from './server';
import { newAccount, type Account } from './userSteps';

export class SuitePerson implements UserPage {
  readonly account: Account;
  // set by open(), in the suite's before()
  context!: BrowserContext;
  page!: Page;
  pageErrors!: string[];
  dialogs!: string[];

  constructor(
    nickname: string,
    readonly device: BrowserContextOptions = desktop,
  ) {
    this.account = newAccount(nickname);
  }

  async open(browser: Browser, baseURL: string): Promise<void> {
    Object.assign(this, await openUser(browser, baseURL, this.device));
  }
}

/** What the suite started, for the tests that open more pages. */
export interface PeopleSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/** Starts a server and Chromium before the enclosing suite and opens every person's page, in order. */
export function usePeople(people: SuitePerson[]): PeopleSuite {
  let started: PeopleSuite | undefined;
  useServerAndBrowser(async (server, browser) => {
    started = { server, browser };
    for (const person of people) await person.open(browser, server.url);
  });
  const suite = (): PeopleSuite => {
    if (!started) throw new Error("the suite's server and browser start in its before()");
    return started;
  };
  return {
    get server() {
      return suite().server;
    },
    get browser() {
      return suite().browser;
    },
  };
}
