import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, emitAck, history, joinGroup, registerUser, sendText, sessionToken } from '../support/client';
import { jpeg } from '../support/files';
import { startServer, type RunningServer } from '../support/server';
import { PageServer } from '../link-previews/previewKit';
import { ConversationState } from './conversationSteps';

let server: RunningServer;
let pages: PageServer;
before(async () => {
  const image = await jpeg(400, 300);
  pages = await PageServer.start({
    '/article': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<html><head><title>Fallback</title><meta property="og:title" content="Soup of the day"><meta property="og:description" content="Leek and potato"><meta property="og:image" content="${pages.url('/soup.jpg')}"></head><body></body></html>`,
      );
    },
    '/soup.jpg': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(image);
    },
  });
  server = await startServer({ env: { LINK_PREVIEW_ALLOW_PRIVATE: '1' } });
});
after(async () => {
  await server.stop();
  await pages.close();
});

test('a link preview reaches the message as a change: live, in history and in sync, with a seq of its own', async () => {
  const [a, b] = await Promise.all(['Linker', 'Reader'].map((n) => registerUser(server.url, n)));
  const group = await createGroup(server.url, a!, 'Links');
  await joinGroup(server.url, b!, group.sessionid);
  const [aSocket, bSocket] = await Promise.all([connectSocket(server.url, a!.token), connectSocket(server.url, b!.token)]);
  const token = await sessionToken(server.url, a!, group.sessionid);
  const live = collect(bSocket, 'message:update', 1, (u) => u.kind === 'preview', 20_000);
  const sent = await sendText(aSocket, token, `tonight: ${pages.url('/article')}`);
  const [update] = await live;
  assert.equal(update!.msgid, sent.msgid);
  assert.equal(update!.seq, sent.seq + 1);
  const preview = update!.message!.preview!;
  assert.equal(preview.url, pages.url('/article'));
  assert.equal(preview.title, 'Soup of the day');
  assert.equal(preview.description, 'Leek and potato');
  assert.match(preview.imageUrl!, /^\/api\/files\/[0-9a-f]{24}\?exp=\d+&sig=/);
  assert.equal(update!.message!.editedAt, undefined, 'a preview is not an edit');

  const stored = (await history(server.url, b!, group.sessionid)).find((m) => m.msgid === sent.msgid);
  assert.equal(stored.preview.title, 'Soup of the day');
  const state = new ConversationState(group.sessionid);
  const seqs = await state.syncFrom(bSocket, sent.seq - 1);
  assert.deepEqual(seqs, [sent.seq, sent.seq + 1]);
  assert.equal(state.messages.get(sent.msgid)!.preview!.title, 'Soup of the day');
  assert.equal((await emitAck(bSocket, 'sync', { cursors: { [group.sessionid]: sent.seq + 1 } })).updates.length, 0);
  aSocket.close();
  bSocket.close();
});
