/**
 * Every page of the web client once, for the checks that look at each page (accessibility, the
 * language shown): sign-in, registration, the chat list, a private chat and a group with its
 * details, new group, discover, profile, the live directory, a stream, going live, and a call that
 * rings and is accepted. Pages are found by ids and test ids, so the tour runs in any language.
 */
import type { Page } from 'playwright-core';
import { http, joinGroup, request, type TestSocket, type TestUser } from './client';
import { register, uidOf, waitForHome, type Account } from './userSteps';

export interface PageTourOptions {
  serverUrl: string;
  /** The visitor, registered on the way. */
  account: Account;
  /** The group the visitor creates (public, so discover lists it). */
  groupName: string;
  /** Someone else: opens a private chat with the visitor, joins the group and calls it. */
  peer: TestUser;
  peerSocket: TestSocket;
  /** A public stream on the air. */
  streamid: string;
  /** Looks at the page now shown; `label` names it. */
  check: (label: string) => Promise<unknown>;
}

export async function tourEveryPage(page: Page, options: PageTourOptions): Promise<void> {
  const { serverUrl, peer, peerSocket, streamid, check } = options;
  await page.goto('/login');
  await page.locator('#login-email').waitFor();
  await check('login');
  await page.goto('/register');
  await page.locator('#register-email').waitFor();
  await check('register');

  await register(page, options.account);
  const uid = await uidOf(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('cookim.token') ?? 'null') as string);
  // a private chat the peer opens, and a group the peer joins
  const privateId = (await http(serverUrl, 'POST', '/api/sessions/private', { token: peer.token, body: { uid } })).body.session.sessionid as string;
  const groupId = (await http(serverUrl, 'POST', '/api/sessions', { token, body: { name: options.groupName } })).body.session.sessionid as string;
  await joinGroup(serverUrl, peer, groupId);
  await page.goto('/');
  await waitForHome(page);
  await page.locator(`a[data-session="${privateId}"]`).waitFor();
  await page.locator(`a[data-session="${groupId}"]`).waitFor();
  await check('chat-list');

  await page.goto(`/c/${privateId}`);
  await page.getByTestId('composer-input').waitFor();
  await check('private-chat');

  await page.goto(`/c/${groupId}`);
  await page.getByTestId('composer-input').waitFor();
  // wide screens open the details with the chat; elsewhere the info button does
  const infoButton = page.getByTestId('info-button');
  if ((await infoButton.getAttribute('aria-expanded')) !== 'true') await infoButton.click();
  await page.getByTestId('member-list').waitFor();
  await check('group-info');

  await page.goto('/new-group');
  await page.locator('form input').first().waitFor();
  await check('new-group');
  await page.goto('/discover');
  await page.locator('main').locator(`[data-session="${groupId}"]`).waitFor();
  await check('discover');
  await page.goto('/profile');
  await page.locator('#profile-language').waitFor();
  await check('profile');
  await page.goto('/live');
  await page.locator(`[data-testid="live-stream-item"][data-streamid="${streamid}"]`).waitFor();
  await check('live-directory');
  await page.goto(`/live/${streamid}`);
  await page.getByTestId('live-view').waitFor();
  await check('live-viewer');
  await page.goto(`/live/new?sessionid=${groupId}`);
  await page.getByTestId('go-live-view').waitFor();
  await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="live-preview"]')?.videoWidth ?? 0) > 0);
  await check('go-live');

  // the peer rings the group; the call is accepted here and shows its screen
  await page.goto(`/c/${groupId}`);
  await page.getByTestId('composer-input').waitFor();
  const { call } = await request<{ call: { callid: string } }>(peerSocket, 'call:start', { sessionid: groupId, kind: 'video' });
  await request(peerSocket, 'call:join', { callid: call.callid });
  const ring = page.getByTestId('incoming-call');
  await ring.waitFor();
  await check('incoming-call');
  await ring.getByTestId('call-accept').click();
  await page.getByTestId('call-view').waitFor();
  await check('call');
  await page.getByTestId('call-hangup').click();
  await request(peerSocket, 'call:leave', { callid: call.callid }).catch(() => undefined);
}
