import { Router } from 'express';
import type { UserDoc } from '../../../storage/documents';
import { InvalidRequestError } from '../../errors/DomainError';
import { avatarFileId } from '../../files/FileService';
import type { AppContext } from '../../node/AppContext';
import { IdParam, UpdateMeBody } from '../../protocol/schemas';
import { userView } from '../../views';
import { currentUser, currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type ProfileRouteDeps = Pick<AppContext, 'users' | 'tokens' | 'uploads' | 'fileUrls'>;

/** getUserInfo and updateUserInfo (S16): one's own profile, and another user's. */
export function profileRoutes(deps: ProfileRouteDeps): Router {
  const { users, uploads, fileUrls } = deps;
  const router = Router();
  const auth = requireUser(deps);
  // Issue 13: one's own profile says whether read receipts are on.
  const ownView = (user: UserDoc) => ({ ...userView(user, true, fileUrls), readReceipts: user.readReceipts !== false });

  router.get('/me', auth, (_req, res) => {
    res.json({ user: ownView(currentUser(res)) });
  });

  router.patch('/me', auth, async (req, res) => {
    const body = validate(UpdateMeBody, req.body);
    const uid = currentUserId(res);
    if (body.avatar !== undefined && body.avatar !== '') {
      // An avatar is an image the user uploaded (POST /api/files), named by its fileid.
      const fileid = avatarFileId(body.avatar);
      if (!fileid) throw new InvalidRequestError('avatar: the fileid of an image you uploaded (or "" for none)');
      body.avatar = await uploads.makeAvatar(fileid, uid);
    }
    const user = await users.update(uid, body);
    res.json({ user: ownView(user) });
  });

  router.get('/users/:uid', auth, async (req, res) => {
    const uid = validate(IdParam, req.params.uid);
    const user = await users.get(uid);
    res.json({ user: userView(user, uid === currentUserId(res), fileUrls) });
  });

  return router;
}
